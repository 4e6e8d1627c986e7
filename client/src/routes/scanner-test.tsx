import { parseBagCode } from '@tracetrack/shared/codes';
import { createSignal, For, Show } from 'solid-js';
import { CameraButton } from '../components/camera-button';
import { saveScannerSettings, useWedgeScanner } from '../scanner/use-wedge';
import type { WedgeKey } from '../scanner/wedge';

interface SeenScan {
  at: string;
  raw: string;
  code: string;
  kind: string;
  source: string;
  gaps: string;
}

/** Shows exactly what the scanner sends: each key with its timing, and each recognised burst. */
export default function ScannerTest() {
  const [keys, setKeys] = createSignal<WedgeKey[]>([]);
  const [scans, setScans] = createSignal<SeenScan[]>([]);
  const [saved, setSaved] = createSignal(false);

  const record = (source: string, raw: string, code: string, gaps: number[]) => {
    const parsed = parseBagCode(code);
    setScans((s) => [{ at: new Date().toLocaleTimeString(), raw, code: parsed.code, kind: parsed.kind, source, gaps: gaps.join(' ') }, ...s].slice(0, 20));
  };
  const settings = useWedgeScanner(
    (scan) => record('wedge', scan.raw, scan.code, scan.gaps),
    (key) => setKeys((k) => [key, ...k].slice(0, 40)),
  );

  const onSave = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    await saveScannerSettings({
      maxInterKeyMs: Math.max(5, Number(f.get('maxInterKeyMs')) || 50),
      minLength: Math.max(1, Number(f.get('minLength')) || 3),
      prefixes: String(f.get('prefixes') ?? '').split(',').map((p) => p.trim()).filter(Boolean),
    });
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
        <label for="st-min">Shortest scan (characters)</label>
        <input id="st-min" name="minLength" type="number" min={1} max={20} value={settings().minLength} />
        <label for="st-prefixes">Prefixes to strip (comma separated)</label>
        <input id="st-prefixes" name="prefixes" value={settings().prefixes.join(', ')} />
        <button type="submit" class="button">Save for this device</button>
        <Show when={saved()}>
          <span class="muted">Saved.</span>
        </Show>
      </form>
      <CameraButton onCode={(code) => record('camera', code, code, [])} />
      <h2 class="section-title">Recognised scans</h2>
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
                <td>{s.kind}</td>
                <td>{s.gaps}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
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
