import { A } from '@solidjs/router';
import { For, Index, type JSX, Show } from 'solid-js';
import { CameraButton } from '../components/camera-button';
import { IconCheck, IconClock, IconCross, IconEquals, IconWarning } from '../components/icons';
import { ManualEntry } from '../components/manual-entry';
import { currentUser } from '../features/auth/session';
import { lastUndoableChild, type LineState, loadParentView, type ParentView, type ScanLine } from '../features/scan/parent-view';
import { createScanSession } from '../features/scan/scan-session';
import { createLiveQuery } from '../local-db/live-query';
import { useWedgeScanner } from '../scanner/use-wedge';

const STATE_ICON: Record<LineState, () => JSX.Element> = { pending: IconClock, applied: IconCheck, unchanged: IconEquals, rejected: IconCross };
const STATE_WORDS: Record<LineState, string> = { pending: 'waiting', applied: 'linked', unchanged: 'already there', rejected: 'refused' };
/** The list keeps this many rows at all times, so a new scan changes their text and never moves them. */
const LINE_ROWS = 8;

export default function Scan() {
  const settings = useWedgeScanner(
    (scan) => void session.handleCode(scan.code),
    () => session.handlePartial(),
  );
  const session = createScanSession(settings);
  const view = createLiveQuery<ParentView | null, { code: string | null; userId: number | null }>(
    (k) => (k.code && k.userId !== null ? loadParentView(k.code, k.userId) : null),
    null,
    () => ({ code: session.currentParent(), userId: currentUser()?.id ?? null }),
  );
  const undoable = () => {
    const v = view();
    return v ? lastUndoableChild(v) : null;
  };
  const rows = () => {
    const lines: (ScanLine | null)[] = view()?.lines.slice(0, LINE_ROWS) ?? [];
    return [...lines, ...Array<null>(LINE_ROWS - lines.length).fill(null)];
  };

  return (
    <main class="page scan-page">
      <Show keyed when={session.feedback()}>
        {(f) => <div class={`flash flash-${f.kind}`} aria-hidden="true" />}
      </Show>

      <div class="scan-head">
        <h1>Scan</h1>
        <Show when={view()}>
          <button type="button" class="button button-quiet" onClick={() => session.setCurrentParent(null)}>
            Done with parent
          </button>
        </Show>
      </div>

      <section class="parent-card" aria-label="Current parent">
        <Show
          when={view()}
          fallback={
            <p class="hint-big">
              Scan a <strong>parent</strong> bag (SB00001 or M444-00001) to start.
            </p>
          }
        >
          {(v) => (
            <>
              <span class="parent-code" data-testid="parent-code">{v().code}</span>
              <div class="progress-big" data-testid="parent-progress" classList={{ 'is-full': v().count === v().capacity, 'is-over': v().count > v().capacity }}>
                {v().count}/{v().capacity}
              </div>
              <progress max={v().capacity} value={Math.min(v().count, v().capacity)} aria-label="Children in this parent" />
              <p class="muted parent-pending">Waiting to sync: {v().pendingCount}</p>
            </>
          )}
        </Show>
      </section>

      <div class="feedback-slot" aria-live="assertive">
        <Show when={session.feedback()}>
          {(f) => (
            <div class={`feedback feedback-${f().kind}`} data-testid="scan-feedback" data-kind={f().kind}>
              <p>{f().text}</p>
              <Show when={f().warning}>
                <p class="scan-warning" data-testid="scan-warning">
                  <IconWarning /> {f().warning}
                </p>
              </Show>
            </div>
          )}
        </Show>
      </div>

      <div class="scan-actions">
        <button type="button" class="button button-big button-warn undo-button" disabled={!undoable()} onClick={() => undoable() && void session.undoChild(undoable()!)}>
          {undoable() ? `Undo last child (${undoable()})` : 'Undo last child'}
        </button>
        <CameraButton onCode={(code) => void session.handleCode(code)} />
        <ManualEntry id="scan-code" label="Type a code" buttonText="Add" onCode={(code) => void session.handleCode(code)} />
      </div>

      <Show when={session.refusals().length > 0}>
        <section class="refusals" aria-labelledby="refusals-title" data-testid="refusals">
          <h2 id="refusals-title" class="section-title">
            {session.refusals().length === 1 ? '1 scan was refused' : `${session.refusals().length} scans were refused`}
          </h2>
          <ul data-testid="refusal-list">
            <For each={session.refusals()}>
              {(r) => (
                <li>
                  <strong>{r.what}</strong>: {r.message}
                </li>
              )}
            </For>
          </ul>
          <div class="row">
            <A class="button button-quiet" href="/inbox">
              Open refused scans
            </A>
            <button type="button" class="button" onClick={session.dismissRefusals}>
              Got it
            </button>
          </div>
        </section>
      </Show>

      <h2 class="section-title">Last children</h2>
      <ol class="scan-lines" data-testid="scan-lines">
        <Index each={rows()}>
          {(line) => (
            <li class={`line line-${line()?.state ?? 'empty'}`} aria-hidden={line() ? undefined : 'true'}>
              <span class="line-mark">
                <Show when={line()}>{(l) => STATE_ICON[l().state]()}</Show>
                <span class="visually-hidden">{line() ? STATE_WORDS[line()!.state] : ''}</span>
              </span>
              <span class="line-code">{line() ? (line()!.kind === 'unlink' ? `− ${line()!.childCode}` : line()!.childCode) : ''}</span>
              <span class="line-message">{line()?.message ?? ''}</span>
            </li>
          )}
        </Index>
      </ol>
    </main>
  );
}
