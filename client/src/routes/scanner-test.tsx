import { parseBagCode } from '@tracetrack/shared/codes';
import { createSignal, For, Show } from 'solid-js';
import { CameraButton } from '../components/camera-button';
import { describePattern, misreadOf, PATTERN_PRESETS, patternProblem } from '../scanner/accepted-codes';
import { saveScannerSettings, useWedgeKeys, useWedgeScanner } from '../scanner/use-wedge';
import type { WedgeKey } from '../scanner/wedge';

interface SeenScan {
  at: string;
  raw: string;
  code: string;
  verdict: string;
  source: string;
  gaps: string;
}

const KIND_WORDS = { parent: 'parent', child: 'child', invalid: 'not a bag code' } as const;

/** Shows exactly what the scanner sends: each key with its timing, and each recognised burst. */
export default function ScannerTest() {
  const [keys, setKeys] = createSignal<WedgeKey[]>([]);
  const [scans, setScans] = createSignal<SeenScan[]>([]);
  const [saved, setSaved] = createSignal(false);
  const [formError, setFormError] = createSignal<string | null>(null);
  const [childPattern, setChildPattern] = createSignal<string | null>(null);
  const [parentPattern, setParentPattern] = createSignal<string | null>(null);

  const record = (source: string, raw: string, code: string, gaps: number[]) => {
    const parsed = parseBagCode(code);
    const misread = misreadOf(parsed, settings().accepted);
    const verdict = misread ? `${KIND_WORDS[parsed.kind]}, refused as a misread` : KIND_WORDS[parsed.kind];
    setScans((s) => [{ at: new Date().toLocaleTimeString(), raw, code: parsed.code, verdict, source, gaps: gaps.join(' ') }, ...s].slice(0, 20));
  };
  const settings = useWedgeScanner(
    (scan) => record(scan.burstCount > 1 ? `wedge, ${scan.burstCount} bursts joined` : 'wedge', scan.raw, scan.code, scan.gaps),
    (partial) => setScans((s) => [{ at: new Date().toLocaleTimeString(), raw: partial.fragment, code: '', verdict: 'partial scan, not used', source: 'wedge', gaps: '' }, ...s].slice(0, 20)),
  );
  useWedgeKeys((key) => setKeys((k) => [key, ...k].slice(0, 40)));
  const child = () => childPattern() ?? settings().accepted.child ?? '';
  const parent = () => parentPattern() ?? settings().accepted.parent ?? '';

  const onSave = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const accepted = { parent: text('parentPattern') || null, child: text('childPattern') || null };
    const problem = (accepted.parent && patternProblem(accepted.parent)) || (accepted.child && patternProblem(accepted.child));
    if (problem) return setFormError(problem);
    setFormError(null);
    await saveScannerSettings({
      maxInterKeyMs: Math.max(5, Number(f.get('maxInterKeyMs')) || 50),
      minLength: Math.max(1, Number(f.get('minLength')) || 3),
      joinWindowMs: Math.min(5_000, Math.max(100, Number(f.get('joinWindowMs')) || 1_000)),
      prefixes: text('prefixes').split(',').map((p) => p.trim()).filter(Boolean),
      accepted,
    });
    setChildPattern(null);
    setParentPattern(null);
    setSaved(true);
  };

  const visible = (k: string) => (k.length === 1 ? k : `[${k}]`);

  return (
    <main class="page">
      <h1>Scanner test</h1>
      <p>Scan any label without tapping a field. Each key and each recognised scan is listed below.</p>
      <form class="grid-form" onSubmit={(e) => void onSave(e)} onInput={() => setSaved(false)}>
        <label for="st-gap">Longest gap between scanner keys (ms)</label>
        <input id="st-gap" name="maxInterKeyMs" type="number" min={5} max={500} value={settings().maxInterKeyMs} />
        <label for="st-join">Wait for the rest of a split scan (ms)</label>
        <input id="st-join" name="joinWindowMs" type="number" min={100} max={5000} value={settings().joinWindowMs} />
        <label for="st-min">Shortest scan (characters)</label>
        <input id="st-min" name="minLength" type="number" min={1} max={20} value={settings().minLength} />
        <label for="st-prefixes">Prefixes to strip (comma separated)</label>
        <input id="st-prefixes" name="prefixes" value={settings().prefixes.join(', ')} />
        <label for="st-child">Accepted child labels (pattern; empty: any child code)</label>
        <input id="st-child" name="childPattern" value={child()} onInput={(e) => setChildPattern(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
        <label for="st-parent">Accepted parent labels (pattern; empty: every parent format)</label>
        <input id="st-parent" name="parentPattern" value={parent()} onInput={(e) => setParentPattern(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
        <div class="row grid-wide">
          <For each={PATTERN_PRESETS}>
            {(p) => (
              <button type="button" class="button button-quiet" onClick={() => ((p.kind === 'child' ? setChildPattern : setParentPattern)(p.source), setSaved(false))}>
                Use: {p.words}
              </button>
            )}
          </For>
        </div>
        <button type="submit" class="button">Save for this device</button>
        <Show when={saved()}>
          <span class="muted" role="status">Saved.</span>
        </Show>
        <Show when={formError()}>
          <p class="error grid-wide" role="alert">{formError()}</p>
        </Show>
      </form>
      <p class="muted" data-testid="accepted-now">
        Accepted now: children {settings().accepted.child ? describePattern(settings().accepted.child!) : 'any child code'}; parents{' '}
        {settings().accepted.parent ? describePattern(settings().accepted.parent!) : 'every parent format'}.
      </p>
      <CameraButton onCode={(code) => record('camera', code, code, [])} />
      <h2 class="section-title" id="st-scans-title">Recognised scans</h2>
      <div class="table-scroll" tabindex="0" role="region" aria-labelledby="st-scans-title">
        <table class="table" data-testid="scanner-test-scans">
          <thead>
            <tr>
              <th>Time</th>
              <th>Source</th>
              <th>Raw</th>
              <th>Code</th>
              <th>Kind</th>
              <th>Key gaps (ms)</th>
            </tr>
          </thead>
          <tbody>
            <For each={scans()}>
              {(s) => (
                <tr>
                  <td>{s.at}</td>
                  <td>{s.source}</td>
                  <td>
                    <code>{JSON.stringify(s.raw)}</code>
                  </td>
                  <td>{s.code}</td>
                  <td>{s.verdict}</td>
                  <td>{s.gaps}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <h2 class="section-title">Last keys</h2>
      <ol class="chips">
        <For each={keys()}>
          {(k) => (
            <li>
              <code>{visible(k.key)}</code> {k.gapMs >= 0 ? `+${k.gapMs}ms` : ''}
              {k.isInField ? ' (field)' : ''}
            </li>
          )}
        </For>
      </ol>
    </main>
  );
}
