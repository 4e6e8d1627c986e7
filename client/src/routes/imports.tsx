import type { ImportCounts, ImportReport, ImportSummary } from '@tracetrack/shared';
import { IMPORT_KIND_LABELS, type ImportKind, importReportHref } from '@tracetrack/shared/imports';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { createPaging, PagedList } from '../components/paged-list';
import {
  commitImport,
  fetchImportPage,
  followImport,
  isInProgress,
  type Progress,
  resumeImport,
  uploadImport,
} from '../features/imports/imports';
import { describeFailure } from '../api/trpc';
import { areaName, useAreas } from '../features/areas/areas';
import { formatDateTime, formatNumber } from '../locale/format';

const KINDS = Object.entries(IMPORT_KIND_LABELS) as [ImportKind, string][];
const HINTS: Record<ImportKind, string> = {
  'label-sheet': 'The printer\'s XLSX: column A "Sr. No.", column B "QR Code", a header row on each sheet; a parent row closes each batch of children.',
  bags: 'CSV or XLSX with the columns code, type (parent or child), parent_code (for children) and area (optional, for parents).',
  bills: 'CSV or XLSX with the columns bill_number, capacity, destination, vehicle, description and parent_codes (separated by spaces).',
};

const percent = (p: Progress) => (p.total > 0 ? Math.floor((p.done / p.total) * 100) : 0);

function statusText(s: ImportSummary): string {
  if (isInProgress(s) && !s.isRunning) return 'Interrupted: resume it to go on';
  switch (s.status) {
    case 'reading': return 'Reading the file';
    case 'checking': return 'Checking (dry run)';
    case 'checked': return 'Checked: nothing written yet';
    case 'committing': return 'Importing';
    case 'committed': return 'Imported';
    case 'failed': return 'Could not be read';
  }
}

const COUNT_ROWS: [keyof ImportCounts, string][] = [
  ['rowsRead', 'Rows read'],
  ['parentsCreated', 'Parents created'],
  ['childrenCreated', 'Children created'],
  ['linksCreated', 'Children put in parents'],
  ['billsCreated', 'Bills created'],
  ['parentsBilled', 'Parents put on bills'],
  ['rowsPresent', 'Rows already present (nothing to do)'],
  ['rowsWithErrors', 'Rows with errors'],
  ['rowsNotImported', 'Rows left out with their batch'],
];

export default function Imports() {
  const [kind, setKind] = createSignal<ImportKind>('label-sheet');
  const [uploading, setUploading] = createSignal<{ name: string; progress: Progress } | null>(null);
  const [current, setCurrent] = createSignal<ImportReport | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const areas = useAreas();
  const history = createPaging(() => ({}), (_none, cursor) => fetchImportPage(cursor));
  let stopFollowing: (() => void) | null = null;
  onCleanup(() => stopFollowing?.());

  // An import's end reaches the screen twice after an upload (the upload's answer and the end
  // of the followed job) and once on opening a finished one: the history is read again once per
  // end it does not show yet.
  const asked = new Set<string>();
  const showInHistory = (r: ImportReport) => {
    const key = `${r.id}:${r.status}`;
    if (isInProgress(r) || asked.has(key) || history.items().some((s) => s.id === r.id && s.status === r.status)) return;
    asked.add(key);
    history.reload();
  };

  const follow = (id: string) => {
    stopFollowing?.();
    stopFollowing = followImport(id, (r) => {
      setCurrent(r);
      showInHistory(r);
    }, setError);
  };

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      setError('Choose a file to import.');
      return;
    }
    const area = String(form.get('area') ?? '') || null;
    if (kind() === 'label-sheet' && !area) {
      setError('Choose the dispatch area the label sheet\'s bags go to.');
      return;
    }
    const id = crypto.randomUUID();
    setCurrent(null);
    setUploading({ name: file.name, progress: { done: 0, total: file.size } });
    follow(id);
    uploadImport({ file, kind: kind(), area, isDryRun: form.get('mode') !== 'commit' }, id, (progress) => setUploading({ name: file.name, progress }))
      .then((report) => {
        setUploading(null);
        setCurrent(report);
        showInHistory(report);
      })
      .catch((err: Error) => {
        setUploading(null);
        stopFollowing?.();
        setError(err.message);
      });
  };

  const act = (run: (id: string) => Promise<ImportSummary>) => {
    const imp = current();
    if (!imp) return;
    setError(null);
    run(imp.id).then(() => follow(imp.id), (e: unknown) => setError(describeFailure(e).message));
  };

  return (
    <main class="page">
      <h1>Imports</h1>
      <form class="grid-form" onSubmit={onSubmit}>
        <label for="import-kind">What the file holds</label>
        <select id="import-kind" name="kind" value={kind()} onChange={(e) => setKind(e.currentTarget.value as ImportKind)}>
          <For each={KINDS}>{([value, label]) => <option value={value}>{label}</option>}</For>
        </select>
        <label for="import-area">Dispatch area</label>
        <select id="import-area" name="area">
          <option value="">{kind() === 'label-sheet' ? 'Choose an area' : 'From the file'}</option>
          <For each={areas()}>{(a) => <option value={a.code}>{a.name}</option>}</For>
        </select>
        <label for="import-file">File (CSV or XLSX, up to 16 MB)</label>
        <input id="import-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
        <span class="muted">How</span>
        <fieldset class="row plain-fieldset">
          <legend class="visually-hidden">How to import</legend>
          <label><input type="radio" name="mode" value="dry-run" checked /> Check first (dry run)</label>
          <label><input type="radio" name="mode" value="commit" /> Import at once</label>
        </fieldset>
        <span />
        <button type="submit" class="button" disabled={uploading() !== null}>Upload</button>
      </form>
      <p class="muted">{HINTS[kind()]}</p>

      <Show when={error()}>
        <p class="error" role="alert">{error()}</p>
      </Show>

      <Show when={uploading()}>
        {(u) => (
          <section class="card" aria-live="polite">
            <p>Uploading {u().name}: {percent(u().progress)}%</p>
            <progress value={u().progress.done} max={Math.max(u().progress.total, 1)} aria-label="Upload progress" />
          </section>
        )}
      </Show>

      <Show when={current()}>{(imp) => <ImportPanel report={imp()} onCommit={() => act(commitImport)} onResume={() => act(resumeImport)} />}</Show>

      <h2 class="section-title" id="imports-history-title">History</h2>
      <PagedList
        paging={history}
        testId="imports-history"
        scrollLabelledBy="imports-history-title"
        empty="No imports yet."
        moreLabel="Older imports"
        head={
          <tr>
            <th>When</th>
            <th>File</th>
            <th>Kind</th>
            <th>Status</th>
            <th>Rows</th>
            <th>By</th>
            <th>Details</th>
          </tr>
        }
        row={(s) => (
          <tr>
            <td>{formatDateTime(s.createdAt)}</td>
            <td>{s.fileName}</td>
            <td>{IMPORT_KIND_LABELS[s.kind]}</td>
            <td>{statusText(s)}</td>
            <td>{formatNumber(s.rowsTotal)}</td>
            <td>{s.createdBy ?? '—'}</td>
            <td>
              <button type="button" class="button button-quiet link-button" onClick={() => follow(s.id)}>
                Open {s.fileName}
              </button>
            </td>
          </tr>
        )}
      />
    </main>
  );
}

function ImportPanel(props: { report: ImportReport; onCommit: () => void; onResume: () => void }) {
  const counts = () => (props.report.status === 'committed' ? props.report.commitCounts : props.report.dryRunCounts);
  const progress = (): Progress => ({ done: props.report.rowsDone, total: props.report.rowsTotal });
  const isInterrupted = () => isInProgress(props.report) && !props.report.isRunning;
  return (
    <section class="card" data-testid="import-panel" aria-live="polite">
      <h2 class="section-title">
        {props.report.fileName} ({IMPORT_KIND_LABELS[props.report.kind]})
      </h2>
      <p data-testid="import-status">
        <strong>{statusText(props.report)}</strong>
        <Show when={props.report.area}>{(a) => <> · area {areaName(a())}</>}</Show>
      </p>
      <Show when={props.report.failure}>
        <p class="error">{props.report.failure}</p>
      </Show>
      <Show when={props.report.status === 'reading' && props.report.isRunning}>
        <p>{formatNumber(props.report.rowsTotal)} rows read so far</p>
      </Show>
      <Show when={props.report.status !== 'reading' && props.report.status !== 'failed' && props.report.rowsTotal > 0}>
        <p data-testid="import-progress-text">
          {formatNumber(progress().done)} of {formatNumber(progress().total)} rows processed ({percent(progress())}%)
        </p>
        <progress value={progress().done} max={progress().total} aria-label="Rows processed" />
      </Show>

      <Show when={counts()}>
        {(c) => (
          <>
            <h3 class="section-title">{props.report.status === 'committed' ? 'Result' : 'Dry run: nothing has been written yet'}</h3>
            <table class="table" data-testid="import-counts">
              <tbody>
                <For each={COUNT_ROWS.filter(([key]) => key === 'rowsRead' || c()[key] > 0)}>
                  {([key, label]) => (
                    <tr>
                      <th scope="row">{props.report.status === 'committed' ? label : label.replace('created', 'to create').replace('put ', 'to put ')}</th>
                      <td>{formatNumber(c()[key])}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </>
        )}
      </Show>

      <Show when={props.report.errors.length > 0}>
        <h3 class="section-title" id="import-errors-title">Errors</h3>
        <Show when={props.report.errorCount > props.report.errors.length}>
          <p class="muted">
            The first {formatNumber(props.report.errors.length)} of {formatNumber(props.report.errorCount)} errors; the report lists every row.
          </p>
        </Show>
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="import-errors-title">
        <table class="table" data-testid="import-errors">
          <thead>
            <tr>
              <th>Sheet</th>
              <th>Row</th>
              <th>Code</th>
              <th>What is wrong</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.report.errors}>
              {(e) => (
                <tr>
                  <td>{e.sheet ?? '—'}</td>
                  <td>{formatNumber(e.row)}</td>
                  <td>{e.code ?? '—'}</td>
                  <td>{e.message}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        </div>
      </Show>

      <div class="row">
        <Show when={props.report.status === 'checked'}>
          <button type="button" class="button" onClick={() => props.onCommit()}>
            Import these rows
          </button>
        </Show>
        <Show when={isInterrupted()}>
          <button type="button" class="button button-warn" onClick={() => props.onResume()}>
            Resume
          </button>
        </Show>
        <Show when={props.report.status === 'checked' || props.report.status === 'committed'}>
          <a class="button button-quiet" href={importReportHref(props.report.id, 'xlsx')} download="">
            Download report (XLSX)
          </a>
          <a class="button button-quiet" href={importReportHref(props.report.id, 'csv')} download="">
            Download report (CSV)
          </a>
        </Show>
      </div>
    </section>
  );
}
