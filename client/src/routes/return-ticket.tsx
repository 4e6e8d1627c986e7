import { A, useParams } from '@solidjs/router';
import { RETURN_NOTES_MAX, type ReturnTicketDetail } from '@tracetrack/shared';
import { normalizeCode } from '@tracetrack/shared/codes';
import { createEffect, createSignal, For, type JSX, onCleanup, onMount, Show, untrack } from 'solid-js';
import { AreaOptions } from '../components/area-options';
import { CameraButton } from '../components/camera-button';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ExportButton } from '../components/export-button';
import { IconCheck, IconClock, IconCross, IconEquals } from '../components/icons';
import { ManualEntry } from '../components/manual-entry';
import { OutcomeLines } from '../components/outcome-lines';
import { areaName } from '../features/areas/areas';
import { currentUser } from '../features/auth/session';
import {
  cancelTicket, type DeviceTicketView, fetchTicket, finalizeTicket, LINES_SHOWN, loadDeviceTicketView, type ReturnLineState, returnTicketHref,
  scanReturn, ticketLines, updateTicket,
} from '../features/returns/returns';
import { createOutcomeTracker, type QueueResult, savedMessage } from '../features/sync/outcome-tracker';
import { createLiveQuery } from '../local-db/live-query';
import { formatDateTime, formatKg, formatNumber } from '../locale/format';
import { signal } from '../scanner/feedback';
import { useWedgeScanner } from '../scanner/use-wedge';

const REFRESH_MS = 10_000;
const STATE_ICON: Record<ReturnLineState, () => JSX.Element> = { pending: IconClock, applied: IconCheck, unchanged: IconEquals, rejected: IconCross };
const STATE_WORDS: Record<ReturnLineState, string> = { pending: 'waiting', applied: 'returned', unchanged: 'no change', rejected: 'refused' };
const STATUS_WORDS = { open: 'open', committed: 'finalised', cancelled: 'cancelled' } as const;
const WHAT: Record<string, (code: string) => string> = {
  'return.create': () => 'opening this return ticket',
  'return.scan': (code) => `returning ${code}`,
  'return.finalize': () => 'finalising this ticket',
  'return.cancel': () => 'cancelling this ticket',
};

type Asking = 'finalize' | 'cancel' | null;

/** One return ticket: scan returned parents into it (wedge, camera or typing; offline too), its totals, export, edit, finalise, cancel. */
export default function ReturnTicketPage() {
  const params = useParams<{ ticketId: string }>();
  const ticketId = () => params.ticketId.toLowerCase();
  const [detail, setDetail] = createSignal<ReturnTicketDetail | null>(null);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [asking, setAsking] = createSignal<Asking>(null);
  const [isEditing, setEditing] = createSignal(false);
  const [editArea, setEditArea] = createSignal('');
  // The form's own copy: a refresh while someone types must not put the stored notes back.
  const [editNotes, setEditNotes] = createSignal('');
  const device = createLiveQuery<DeviceTicketView | null, { id: string; uid: number | null }>(
    (k) => (k.uid === null ? null : loadDeviceTicketView(k.id, k.uid)),
    null,
    () => ({ id: ticketId(), uid: currentUser()?.id ?? null }),
  );

  // Loads overlap (the refresh timer, outcomes, a save): only the latest one started may set the
  // page, or an answer read before a save would put the old notes back after it.
  let latestLoad = 0;
  const load = async () => {
    if (!navigator.onLine) return;
    const seq = ++latestLoad;
    const res = await fetchTicket(ticketId());
    if (seq !== latestLoad) return;
    if (res.detail) setDetail(res.detail);
    // Not found while this device still holds the create: it has not reached the server yet.
    setLoadError(res.error && !device()?.pendingCreate ? res.error : null);
  };
  onMount(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const onOnline = () => void load();
    window.addEventListener('online', onOnline);
    onCleanup(() => {
      clearInterval(timer);
      window.removeEventListener('online', onOnline);
    });
  });

  const tracker = createOutcomeTracker((o) => {
    signal(o.status === 'rejected' ? 'error' : 'ok');
    void load();
  });
  // Writes of this ticket still queued from an earlier visit (made offline, then the page was
  // reloaded or left) are followed here too, so their outcomes show where the ticket is.
  createEffect(() => {
    const rows = device()?.pendingRows ?? [];
    untrack(() => {
      for (const row of rows) {
        const code = normalizeCode(String(row.args.code ?? ''));
        tracker.track(row, code || 'ticket', savedMessage(WHAT[row.name]?.(code) ?? row.name));
      }
    });
  });

  const ticket = () => detail()?.ticket ?? device()?.ticket ?? null;
  const number = () => ticket()?.number ?? null;
  const area = () => ticket()?.area ?? device()?.pendingCreate?.area ?? null;
  const notes = () => (ticket() ? ticket()!.notes : (device()?.pendingCreate?.notes ?? null));
  const status = () => ticket()?.status ?? (device()?.pendingCreate ? 'open' : null);
  const isKnown = () => status() !== null;
  const isOpen = () => status() === 'open' && !device()?.pendingClose;
  const waiting = () => device()?.pendingScans ?? 0;
  const lines = () => ticketLines(device()?.lines ?? [], detail()?.bags ?? []);

  const queue = async (queued: Promise<QueueResult>, subject: string, what: string) => {
    const res = await queued;
    if (!res.ok) return tracker.refuse(subject, res.message);
    tracker.track(res.row, subject, savedMessage(what));
  };
  const onCode = async (raw: string) => {
    const code = normalizeCode(raw);
    if (!code) return;
    if (!isOpen()) {
      signal('error');
      return tracker.refuse(code, 'This return ticket is not open: open a new ticket to scan more returned bags.');
    }
    signal('queued');
    await queue(scanReturn(ticketId(), code), code, `returning ${code}`);
  };
  useWedgeScanner((scan) => void onCode(scan.code));

  const close = async (kind: 'finalize' | 'cancel') => {
    setAsking(null);
    await queue(kind === 'finalize' ? finalizeTicket(ticketId()) : cancelTicket(ticketId()), number() ?? 'ticket', kind === 'finalize' ? 'finalising this ticket' : 'cancelling this ticket');
  };
  const onEdit = async (e: SubmitEvent) => {
    e.preventDefault();
    const res = await updateTicket({ ticketId: ticketId(), area: editArea() || undefined, notes: editNotes().trim() || null });
    setNotice({ ok: res.ok, text: res.message });
    if (res.ok) {
      setEditing(false);
      await load();
    }
  };

  return (
    <main class="page">
      <div class="row spread">
        <h1>
          Return ticket <span data-testid="ticket-number">{number() ?? '(number given when it reaches the server)'}</span>
        </h1>
        <A class="button button-quiet" href="/returns">All return tickets</A>
      </div>
      <Show when={loadError()}>
        <p class="error" role="alert">{loadError()}</p>
      </Show>
      <Show when={!isKnown() && !loadError()}>
        <p class="notice">This ticket is not on this device{navigator.onLine ? ' yet' : ', and there is no connection'}: it shows once the server has it.</p>
      </Show>
      <Show when={isKnown()}>
        <p>
          Status <strong data-testid="ticket-status">{STATUS_WORDS[status()!]}</strong>
          {device()?.pendingClose === 'return.finalize' ? ' (finalising, waiting to be sent)' : ''}
          {device()?.pendingClose === 'return.cancel' ? ' (cancelling, waiting to be sent)' : ''} · C&amp;F location {areaName(area())}
        </p>
        <Show when={notes()}>
          <p class="muted">{notes()}</p>
        </Show>
        <Show when={ticket()?.createdAt}>
          <p class="muted">
            Opened by {ticket()!.createdBy ?? 'a removed user'} on {formatDateTime(ticket()!.createdAt)}
            <Show when={ticket()!.closedAt}>; {status() === 'cancelled' ? 'cancelled' : 'finalised'} by {ticket()!.closedBy ?? 'a removed user'} on {formatDateTime(ticket()!.closedAt!)}</Show>
          </p>
        </Show>
        <dl class="weights" data-testid="ticket-totals">
          <dt>Parents returned</dt>
          <dd data-testid="ticket-parents">{formatNumber(ticket()?.parentCount ?? 0)}</dd>
          <dt>Children</dt>
          <dd>{formatNumber(ticket()?.childCount ?? 0)}</dd>
          <dt>Weight</dt>
          <dd>{formatKg(ticket()?.weightKg ?? 0)}</dd>
          <dt>Waiting to send</dt>
          <dd data-testid="ticket-waiting">{formatNumber(waiting())}</dd>
        </dl>

        <Show when={isOpen()}>
          <section class="card" aria-labelledby="return-scan-title">
            <h2 id="return-scan-title" class="section-title">Scan returned parents</h2>
            <p class="muted">Scan with the handheld scanner, the camera, or type the code. Each parent leaves the bill it went out on.</p>
            <div class="scan-actions">
              <CameraButton onCode={(code) => void onCode(code)} />
              <ManualEntry id="return-code" label="Parent code (type or scan)" buttonText="Return" onCode={(code) => void onCode(code)} />
            </div>
          </section>
        </Show>
        <OutcomeLines items={tracker.items()} testId="return-feedback" title="Earlier on this page" />
        <Show when={notice()}>
          {(n) => (
            <p class={`feedback feedback-${n().ok ? 'ok' : 'error'}`} role="alert" data-testid="ticket-notice">
              {n().text}
            </p>
          )}
        </Show>

        <Show when={isOpen()}>
          <div class="row">
            <button type="button" class="button button-big" onClick={() => setAsking('finalize')}>
              Finalise ticket
            </button>
            <button type="button" class="button button-quiet" onClick={() => { setEditArea(area() ?? ''); setEditNotes(notes() ?? ''); setEditing(!isEditing()); }}>
              Edit location and notes
            </button>
            <button type="button" class="button button-danger" onClick={() => setAsking('cancel')}>
              Cancel ticket
            </button>
          </div>
        </Show>
        <Show when={isEditing() && isOpen()}>
          <form class="grid-form card" onSubmit={(e) => void onEdit(e)}>
            <label for="edit-return-area">C&amp;F location</label>
            <select id="edit-return-area" value={editArea()} onChange={(e) => setEditArea(e.currentTarget.value)}>
              <AreaOptions selected={editArea()} />
            </select>
            <label for="edit-return-notes">Notes</label>
            <textarea id="edit-return-notes" name="notes" maxlength={RETURN_NOTES_MAX} rows={2} value={editNotes()} onInput={(e) => setEditNotes(e.currentTarget.value)} />
            <div class="row">
              <button type="submit" class="button">Save</button>
              <button type="button" class="button button-quiet" onClick={() => setEditing(false)}>Close</button>
            </div>
          </form>
        </Show>
        <Show when={asking() === 'finalize'}>
          <ConfirmDialog title={`Finalise this return ticket with ${ticket()?.parentCount ?? 0} parents?`} confirmText="Finalise ticket" tone="warn" onConfirm={() => void close('finalize')} onCancel={() => setAsking(null)}>
            <p>No more bags can be scanned onto it afterwards.{waiting() > 0 ? ` ${waiting()} scans are still waiting to be sent; they are sent first.` : ''}</p>
          </ConfirmDialog>
        </Show>
        <Show when={asking() === 'cancel'}>
          <ConfirmDialog title="Cancel this return ticket?" confirmText="Cancel ticket" onConfirm={() => void close('cancel')} onCancel={() => setAsking(null)}>
            <p>The ticket closes. Parents already returned on it stay off their bills: they can go on new bills.</p>
          </ConfirmDialog>
        </Show>
        <Show when={number() && detail()}>
          <ExportButton what={`return ticket ${number()}`} hasCount={false} summary={`return ticket ${number()} with its bags`} hrefOf={(format) => returnTicketHref(number()!, format)} />
        </Show>

        <h2 class="section-title">Last returned (newest first, up to {LINES_SHOWN})</h2>
        <Show when={lines().length > 0} fallback={<p class="muted">No parents scanned onto this ticket yet.</p>}>
          <ol class="scan-lines" data-testid="return-lines">
            <For each={lines()}>
              {(line) => (
                <li class={`line line-${line.state}`} data-state={line.state}>
                  <span class="line-mark">
                    {STATE_ICON[line.state]()}
                    <span class="visually-hidden">{STATE_WORDS[line.state]}</span>
                  </span>
                  <span class="line-code">{line.code}</span>
                  <span class="line-message">{line.message}</span>
                </li>
              )}
            </For>
          </ol>
        </Show>
      </Show>
    </main>
  );
}
