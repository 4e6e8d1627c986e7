import type { ExportCount, ExportCountInput } from '@tracetrack/shared';
import { api, describeFailure } from '../../api/trpc';

export { billManifestHref, exportHref } from '@tracetrack/shared/export-links';

/** How many rows an export with these filters would hold, or the refusal's sentence. */
export async function countExport(input: ExportCountInput): Promise<ExportCount | { error: string }> {
  try {
    return await api.export.count.query(input);
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

/** "12,345 rows", "1 row", or "more than 1,00,000 rows" when counting stopped at the cap. */
export function rowCountText(count: ExportCount): string {
  if (count.isCapped) return `more than ${count.count.toLocaleString('en-IN')} rows`;
  return `${count.count.toLocaleString('en-IN')} ${count.count === 1 ? 'row' : 'rows'}`;
}
