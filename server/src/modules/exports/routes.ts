import { Readable } from 'node:stream';
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, isAppError, type RouteName } from '@tracetrack/shared';
import { type Context, Hono } from 'hono';
import type { Deps } from '../../deps';
import type { AppEnv } from '../../http/app-env';
import { jsonError, jsonRefusal } from '../../http/json-error';
import { requireRoute } from '../../http/route-guard';
import { attachmentHeader, exportFileName } from './file-name';
import { type ExportPlan, planBillManifest, planExport, planReturnTicket } from './service';
import { csvStream } from './write-csv';
import { xlsxStream } from './write-xlsx';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** `name.ext` split at the last dot; the format must be one we write. */
function splitFile(file: string): { name: string; format: ExportFormat } | null {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return null;
  const format = file.slice(dot + 1).toLowerCase();
  return (EXPORT_FORMATS as readonly string[]).includes(format) ? { name: file.slice(0, dot), format: format as ExportFormat } : null;
}

const notFound = (c: Context) => jsonRefusal(c, 'ROUTE_NOT_FOUND', `There is no ${c.req.method} ${c.req.path}.`, 404);

/**
 * Streams a planned export. Everything that can refuse (the filter, a missing bill) has happened
 * before the first byte; a failure while streaming (the database goes away) ends the download
 * early, which the browser shows as a failed download, and is logged.
 */
function send(c: Context<AppEnv>, deps: Deps, kind: string, format: ExportFormat, plan: ExportPlan): Response {
  const stream = format === 'csv' ? csvStream(plan.sheets) : xlsxStream(plan.sheets);
  stream.on('error', (e) => deps.logger.error('export failed while streaming', { kind, format, requestId: c.get('requestId'), error: String(e) }));
  const fileName = exportFileName(kind, plan.label, deps.clock(), deps.config.timeZone, format);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': attachmentHeader(fileName),
      'cache-control': 'no-store',
    },
  });
}

async function refusing(c: Context<AppEnv>, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e)) return jsonError(c, e);
    throw e;
  }
}

/**
 * GET /api/exports/<bags|bills|users|audit|eod|returns>.<csv|xlsx>?<the list's filter>,
 * GET /api/exports/bill/<number>.<csv|xlsx> and GET /api/exports/return/<number>.<csv|xlsx>. Each is gated by its row in ROUTE_PERMISSIONS.
 */
export function exportRoutes(deps: Deps) {
  const routes = new Hono<AppEnv>();
  const gates = new Map(EXPORT_KINDS.map((kind) => [kind, requireRoute(deps, `export.${kind}` as RouteName)]));
  const billGate = requireRoute(deps, 'export.bill');
  const returnGate = requireRoute(deps, 'export.return');

  routes.get('/bill/:file', (c, next) => (splitFile(c.req.param('file')) ? billGate(c, next) : notFound(c)), (c) =>
    refusing(c, async () => {
      const { name, format } = splitFile(c.req.param('file'))!;
      return send(c, deps, 'bill', format, await planBillManifest(deps, name));
    }),
  );

  routes.get('/return/:file', (c, next) => (splitFile(c.req.param('file')) ? returnGate(c, next) : notFound(c)), (c) =>
    refusing(c, async () => {
      const { name, format } = splitFile(c.req.param('file'))!;
      return send(c, deps, 'return', format, await planReturnTicket(deps, name));
    }),
  );

  routes.get('/:file', (c, next) => {
    const file = splitFile(c.req.param('file'));
    const gate = file ? gates.get(file.name as (typeof EXPORT_KINDS)[number]) : undefined;
    return gate ? gate(c, next) : notFound(c);
  }, (c) =>
    refusing(c, async () => {
      const { name, format } = splitFile(c.req.param('file'))!;
      const kind = name as (typeof EXPORT_KINDS)[number];
      return send(c, deps, kind, format, await planExport(deps, c.get('actor'), kind, new URL(c.req.url).searchParams));
    }),
  );
  return routes;
}
