import { For, Show } from 'solid-js';
import { CameraButton } from '../components/camera-button';
import { ManualEntry } from '../components/manual-entry';
import { lastUndoableChild, loadParentView, type ParentView } from '../features/scan/parent-view';
import { createScanSession } from '../features/scan/scan-session';
import { createLiveQuery } from '../local-db/live-query';
import { useWedgeScanner } from '../scanner/use-wedge';

const STATE_MARK = { pending: '⏳', applied: '✔', unchanged: '=', rejected: '✖' } as const;

export default function Scan() {
  const session = createScanSession();
  useWedgeScanner((scan) => void session.handleCode(scan.code));
  const view = createLiveQuery<ParentView | null, string | null>(
    (code) => (code ? loadParentView(code) : null),
    null,
    session.currentParent,
  );
  const undoable = () => {
    const v = view();
    return v ? lastUndoableChild(v) : null;
  };

  return (
    <main class="page scan-page">
      <Show keyed when={session.feedback()}>
        {(f) => <div class={`flash flash-${f.kind}`} aria-hidden="true" />}
      </Show>

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
              <div class="parent-head">
                <span class="parent-code" data-testid="parent-code">{v().code}</span>
                <button type="button" class="button button-quiet" onClick={() => session.setCurrentParent(null)}>
                  Done with parent
                </button>
              </div>
              <div class="progress-big" data-testid="parent-progress" classList={{ 'is-full': v().count >= v().capacity }}>
                {v().count}/{v().capacity}
              </div>
              <progress max={v().capacity} value={v().count} aria-label="Children in this parent" />
              <Show when={v().pendingCount > 0}>
                <p class="muted">{v().pendingCount} waiting to sync</p>
              </Show>
            </>
          )}
        </Show>
      </section>

      <Show when={session.feedback()}>
        {(f) => (
          <p class={`feedback feedback-${f().kind}`} data-testid="scan-feedback" data-kind={f().kind} role="alert">
            {f().text}
          </p>
        )}
      </Show>

      <Show when={view()?.lines.length}>
        <h2 class="section-title">Last children</h2>
        <ol class="scan-lines" data-testid="scan-lines">
          <For each={view()?.lines}>
            {(line) => (
              <li class={`line line-${line.state}`}>
                <span class="line-mark">{STATE_MARK[line.state]}</span>
                <span class="line-code">{line.kind === 'unlink' ? `− ${line.childCode}` : line.childCode}</span>
                <span class="line-message">{line.message}</span>
              </li>
            )}
          </For>
        </ol>
      </Show>

      <div class="scan-actions">
        <Show when={undoable()}>
          {(child) => (
            <button type="button" class="button button-big button-warn" onClick={() => void session.undoChild(child())}>
              Undo last child ({child()})
            </button>
          )}
        </Show>
        <CameraButton onCode={(code) => void session.handleCode(code)} />
        <ManualEntry id="scan-code" label="Type a code" buttonText="Add" onCode={(code) => void session.handleCode(code)} />
      </div>
    </main>
  );
}
