import type { ExportCount, ExportFormat } from '@tracetrack/shared';
import { Match, Switch } from 'solid-js';
import { rowCountText } from '../features/exports/exports';

/**
 * Download links for an export, with how many rows it holds. The screen fetches the count (a
 * feature call) and says where each format is; `count` is undefined while counting, or the
 * refusal's sentence when counting failed. Files download through the browser (a plain link), so
 * a large export streams straight to disk.
 */
export function ExportButton(props: {
  /** What is exported, for the accessible names: "bags", "bills", "bill BL-1". */
  what: string;
  hrefOf: (format: ExportFormat) => string;
  count?: ExportCount | { error: string } | undefined;
  /** Without a count (a bill's manifest, a day's summary): what the file holds, in words, if known. */
  hasCount?: boolean;
  summary?: string;
}) {
  return (
    <div class="export-button no-print" role="group" aria-label={`Export ${props.what}`}>
      <span class="muted" data-testid="export-count">
        <Switch>
          <Match when={props.hasCount === false}>Export {props.summary ?? props.what}:</Match>
          <Match when={props.count === undefined}>Counting rows…</Match>
          <Match when={props.count && 'error' in props.count ? props.count : null}>{(c) => c().error}</Match>
          <Match when={props.count && !('error' in props.count) ? props.count : null}>{(c) => `Export ${rowCountText(c())}:`}</Match>
        </Switch>
      </span>
      <a class="button button-quiet link-button" href={props.hrefOf('csv')} download="" aria-label={`Download ${props.what} as CSV`}>
        CSV
      </a>
      <a class="button button-quiet link-button" href={props.hrefOf('xlsx')} download="" aria-label={`Download ${props.what} as Excel (XLSX)`}>
        Excel
      </a>
    </div>
  );
}
