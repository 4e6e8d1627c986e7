import { A, useNavigate, useParams } from '@solidjs/router';
import { normalizeCode } from '@tracetrack/shared/codes';
import type { BillReturnEvent } from '@tracetrack/shared';
import { createEffect, createSignal, onCleanup, onMount, Show, untrack } from 'solid-js';
import { BillReturnsTable } from '../components/bill-returns-table';
import { type BillEdit, BillEditForm } from '../components/bill-edit-form';
import { BillParentsTable } from '../components/bill-parents-table';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ManualEntry } from '../components/manual-entry';
import { ExportButton } from '../components/export-button';
import { OutcomeLines } from '../components/outcome-lines';
import { canUse, currentUser, isAllowedFor } from '../features/auth/session';
import { canUnlink, queueUnlink } from '../features/bags/bags';
import { type BillView, describeBillWrite, viewFromDevice, viewFromServer, withPending } from '../features/bills/bill-view';
import { addParentToBill, completeBill, deleteBill, followBill, removeParentFromBill, reopenBill, updateBill } from '../features/bills/bills';
import type { LiveMode } from '../features/live/follow-live';
import { LiveBadge } from '../components/live-badge';
import { usePendingBillWrites, useStoredBill } from '../features/bills/stored-bills';
import { billManifestHref } from '../features/exports/exports';
import { createOutcomeTracker, type QueueResult, savedMessage, trackQueued } from '../features/sync/outcome-tracker';
import { formatDateTime, formatKg, formatNumber, formatSignedKg } from '../locale/format';
import { signal } from '../scanner/feedback';
import { useWedgeScanner } from '../scanner/use-wedge';

type Asking = { kind: 'remove'; code: string } | { kind: 'short' } | { kind: 'delete' } | null;

export default function BillDetailPage() {
  const params = useParams<{ number: string }>();
  const navigate = useNavigate();
  const billNumber = () => normalizeCode(decodeURIComponent(params.number));
  const [fromServer, setFromServer] = createSignal<BillView | null>(null);
  const [isOffline, setOffline] = createSignal(!navigator.onLine);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [asking, setAsking] = createSignal<Asking>(null);
  const [isEditing, setEditing] = createSignal(false);
  const [version, setVersion] = createSignal(0);
  const [returns, setReturns] = createSignal<BillReturnEvent[]>([]);
  const stored = useStoredBill(billNumber);
  const pending = usePendingBillWrites(billNumber);
  const canEdit = () => canUse(currentUser()?.role, 'editBills');
  const canDelete = () => isAllowedFor('bill.delete');

  // Offline the page is the device's pulled copy (the open and loading bills); online the server's.
  const base = () => (isOffline() ? (stored() ? viewFromDevice(stored()!) : fromServer()) : fromServer());
  const view = () => {
    const b = base();
    return b ? withPending(b, pending().rows, (code) => pending().childCounts.get(code) ?? null, pending().returning) : null;
  };
  const isLocked = () => view()?.status === 'completed';

  const failed = (message: string, code: string | null) => {
    setOffline(code === null);
    if (code !== null) setLoadError(message);
    if (code === 'BILL_NOT_FOUND') setFromServer(null);
  };
  // Live: the page follows other people's changes (live.bill), polling while the stream is down.
  // Every read of the bill (stream, poll, load) goes through it, so an older answer never puts
  // old figures back over a newer one.
  const [liveMode, setLiveMode] = createSignal<LiveMode>('connecting');
  let live: ReturnType<typeof followBill> | null = null;
  createEffect(() => {
    const number = billNumber();
    const following = followBill(number, (d) => {
      if (!d) return failed(`Bill ${number} was deleted.`, 'BILL_NOT_FOUND');
      setFromServer(viewFromServer(d));
      setReturns(d.returns);
      setOffline(false);
      setLoadError(null);
    }, failed);
    live = following;
    createEffect(() => setLiveMode(following.mode()));
    onCleanup(following.stop);
  });
  const load = async () => {
    if (!navigator.onLine) return void setOffline(true);
    await live?.refresh();
  };
  // After this page's own change: the stream, while live, brings the new state (every bill change
  // announces the bill's topic, server/README.md "Live screens"); reading it again too would be a
  // second read per change. While the stream is down, the page reads it.
  const loadUnlessLive = () => (liveMode() === 'live' ? Promise.resolve() : load());
  onMount(() => {
    const onOnline = () => void load();
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOnline);
    onCleanup(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOnline);
    });
  });

  const tracker = createOutcomeTracker((o) => {
    signal(o.status === 'rejected' ? 'error' : 'ok');
    setVersion((v) => v + 1);
    void loadUnlessLive();
  });

  // Writes of this bill still queued from an earlier visit (made offline, then the page was left)
  // are followed here too, so their outcomes show where the bill is.
  createEffect(() => {
    const rows = pending().rows;
    untrack(() => {
      for (const row of rows) {
        const { subject, what } = describeBillWrite(row);
        tracker.track(row, subject, savedMessage(what));
      }
    });
  });

  const queue = async (queued: Promise<QueueResult>, subject: string) => {
    const res = await queued;
    if (!res.ok) return tracker.refuse(subject, res.message);
    const { what } = describeBillWrite(res.row);
    tracker.track(res.row, subject, savedMessage(what));
  };
  const addParent = async (raw: string) => {
    const code = normalizeCode(raw);
    if (!canEdit() || isLocked() || !code) return;
    signal('queued');
    await queue(addParentToBill(billNumber(), code), code);
  };
  useWedgeScanner((scan) => void addParent(scan.code));

  const removeParent = async (code: string) => {
    setAsking(null);
    await queue(removeParentFromBill(billNumber(), code), code);
  };
  const complete = async (allowShort: boolean) => {
    const v = view();
    if (!v) return;
    if (!allowShort && v.parentCount < v.capacity) return setAsking({ kind: 'short' });
    setAsking(null);
    await queue(completeBill(v.billNumber, allowShort), v.billNumber);
  };
  const unlink = async (childCode: string, parentCode: string) =>
    trackQueued(tracker, await queueUnlink(childCode), childCode, `unlinking ${childCode} from ${parentCode}`);

  const showOnline = async (res: Promise<{ ok: boolean; message: string }>) => {
    const r = await res;
    setNotice({ ok: r.ok, text: r.message });
    signal(r.ok ? 'ok' : 'error');
    if (r.ok) await loadUnlessLive();
    return r;
  };
  const saveEdit = (e: BillEdit) =>
    showOnline(updateBill({
      billNumber: billNumber(), capacity: e.capacity, destination: e.destination || null, vehicleNumber: e.vehicleNumber || null, description: e.description || null,
    }));
  const removeBill = async () => {
    setAsking(null);
    const r = await deleteBill(billNumber());
    if (r.ok) navigate('/bills', { state: { notice: r.message } });
    else setNotice({ ok: false, text: r.message });
  };

  return (
    <main class="page">
      <Show when={!view()}>
        <h1>Bill {billNumber()}</h1>
        <Show when={isOffline()}>
          <p class="notice" data-testid="bill-offline">
            No connection, and this bill is not stored on this device: only open and loading bills are kept for offline use. It shows once the connection returns.
          </p>
        </Show>
      </Show>
      <Show when={loadError()}>
        <p class="error" role="alert">{loadError()}</p>
      </Show>
      <Show when={view()}>
        {(b) => (
          <>
            <div class="row spread">
              <h1>
                Bill <span data-testid="bill-number">{b().billNumber}</span>
              </h1>
              <A class="button button-quiet" href={`/bills/${encodeURIComponent(b().billNumber)}/print`}>
                Print view
              </A>
              <Show when={canUse(currentUser()?.role, 'audit')}>
                <A class="button button-quiet" href={`/audit?entityType=bill&entityKey=${encodeURIComponent(b().billNumber)}`}>
                  Audit history
                </A>
              </Show>
            </div>
            <Show when={b().source === 'server' && canUse(currentUser()?.role, 'admin')}>
              <ExportButton
                what={`the manifest of bill ${b().billNumber}`}
                hasCount={false}
                summary={`the manifest: ${formatNumber(b().parentCount)} parents with their children and weights`}
                hrefOf={(format) => billManifestHref(b().billNumber, format)}
              />
            </Show>
            <Show when={b().source === 'device'}>
              <p class="notice" data-testid="bill-offline">
                Offline: showing the copy stored on this device. Changes you make are saved here and sent when the connection returns.
              </p>
            </Show>
            <p>
              Status <strong data-testid="bill-status">{b().status}</strong>
              {b().isShort ? ' (completed short)' : ''}
              {b().isCompletionWaiting ? ' (completion waiting to be sent)' : ''} · {b().destination ?? 'no destination'} ·{' '}
              {b().vehicleNumber ?? 'no vehicle'}
            </p>
            <Show when={b().description}>
              <p class="muted">{b().description}</p>
            </Show>
            <Show when={b().createdBy || b().completedBy}>
              <p class="muted">
                <Show when={b().createdAt}>Created by {b().createdBy ?? 'a removed user'} on {formatDateTime(b().createdAt!)}</Show>
                <Show when={b().completedAt}>; completed by {b().completedBy ?? 'a removed user'} on {formatDateTime(b().completedAt!)}</Show>
              </p>
            </Show>
            <Show when={b().source === 'server'}>
              <p class="muted">
                <LiveBadge mode={liveMode()} />
              </p>
            </Show>
            <div class="bill-progress">
              <span class="progress-big" data-testid="bill-progress">
                {b().parentCount}/{b().capacity}
              </span>
              <progress max={b().capacity} value={b().parentCount} aria-label="Parents on this bill" />
            </div>
            <dl class="weights">
              <dt>Actual weight</dt>
              <dd data-testid="bill-actual-weight">{formatKg(b().actualWeightKg)}</dd>
              <dt>Expected weight</dt>
              <dd data-testid="bill-expected-weight">{formatKg(b().expectedWeightKg)}</dd>
              <dt>Variance</dt>
              <dd data-testid="bill-variance" classList={{ negative: b().varianceKg < 0 }}>
                {formatSignedKg(b().varianceKg)}
              </dd>
            </dl>

            <OutcomeLines items={tracker.items()} testId="bill-feedback" title="Earlier on this page" />
            <Show when={notice()}>
              {(n) => (
                <p class={`feedback feedback-${n().ok ? 'ok' : 'error'}`} data-testid="bill-notice" role="alert">
                  {n().text}
                </p>
              )}
            </Show>

            <Show when={canEdit()}>
              <Show
                when={!isLocked()}
                fallback={
                  <button type="button" class="button" onClick={() => void showOnline(reopenBill(b().billNumber))}>
                    Reopen bill
                  </button>
                }
              >
                <ManualEntry id="bill-parent-code" label="Parent code (type or scan)" buttonText="Add parent" onCode={(c) => void addParent(c)} />
                <div class="row">
                  <button type="button" class="button button-big" onClick={() => void complete(false)}>
                    Complete bill
                  </button>
                  <Show when={!isEditing()}>
                    <button type="button" class="button button-quiet" onClick={() => (isOffline() ? setNotice({ ok: false, text: 'No connection: editing a bill needs the network.' }) : setEditing(true))}>
                      Edit bill
                    </button>
                  </Show>
                </div>
                <Show when={isEditing()}>
                  <BillEditForm
                    current={{ capacity: b().capacity, destination: b().destination ?? '', vehicleNumber: b().vehicleNumber ?? '', description: b().description ?? '' }}
                    parentCount={b().parentCount}
                    onSave={saveEdit}
                    onClose={() => setEditing(false)}
                  />
                </Show>
              </Show>
            </Show>
            <Show when={canDelete()}>
              <button type="button" class="button button-danger" onClick={() => setAsking({ kind: 'delete' })}>
                Delete bill
              </button>
            </Show>

            <Show when={asking()?.kind === 'short'}>
              <ConfirmDialog title={`Only ${b().parentCount} of ${b().capacity} parents are loaded`} confirmText="Complete short" tone="warn" onConfirm={() => void complete(true)} onCancel={() => setAsking(null)}>
                <p>Completing now records the bill as short.</p>
              </ConfirmDialog>
            </Show>
            <Show when={asking()?.kind === 'remove' ? (asking() as { code: string }).code : null}>
              {(code) => (
                <ConfirmDialog title={`Remove ${code()} from bill ${b().billNumber}?`} confirmText="Remove from bill" onConfirm={() => void removeParent(code())} onCancel={() => setAsking(null)}>
                  <p>The parent and its children stay as they are; it is free for another bill.</p>
                </ConfirmDialog>
              )}
            </Show>
            <Show when={asking()?.kind === 'delete'}>
              <ConfirmDialog title={`Delete bill ${b().billNumber}?`} confirmText="Delete bill" onConfirm={() => void removeBill()} onCancel={() => setAsking(null)}>
                <p>Its {b().parentCount} parents are freed for other bills; the bags and their history stay. This cannot be undone.</p>
              </ConfirmDialog>
            </Show>

            <Show when={returns().length > 0}>
              <h2 class="section-title">Returned parents ({returns().length})</h2>
              <p class="muted">Parents that came back from this bill on return tickets; the totals above are what it holds now.</p>
              <BillReturnsTable returns={returns()} canOpenTickets={canUse(currentUser()?.role, 'returns')} />
            </Show>

            <h2 class="section-title">Parents</h2>
            <BillParentsTable
              parents={b().parents}
              billStatus={b().status}
              canRemove={canEdit() && !isLocked()}
              onRemove={(code) => setAsking({ kind: 'remove', code })}
              version={version()}
              canUnlink={canUnlink}
              isUnlinking={(code) => tracker.isWaiting('child.unlink', code)}
              onUnlink={(child, parent) => void unlink(child, parent)}
            />
          </>
        )}
      </Show>
    </main>
  );
}
