import { Readable } from 'node:stream';
import { type ImportCounts, type ImportKind, isAppError } from '@tracetrack/shared';
import { type Context, Hono } from 'hono';
import type { Deps } from '../../deps';
import type { AppEnv } from '../../http/app-env';
import { jsonError, jsonRefusal } from '../../http/json-error';
import { requireRoute } from '../../http/route-guard';
import type { RequestMeta } from '../actor';
import { anonymizeIp } from '../audit/anonymize';
import { reportCsv, reportXlsx } from './report';
import { getImport, startImport } from './service';
import { receiveUpload, UploadTooLarge } from './upload';
import { readClientId } from '../../trpc/http-context';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function metaOf(deps: Deps, c: Context<AppEnv>): RequestMeta {
  return {
    requestId: c.get('requestId'),
    ip: deps.config.anonymizeIps ? anonymizeIp(c.get('ip')) : c.get('ip'),
    remoteIp: c.get('ip'),
    userAgent: c.req.header('user-agent')?.slice(0, 200) ?? null,
    clientId: readClientId(deps, c.req.header('cookie') ?? null),
  };
}

async function refusing(c: Context<AppEnv>, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e)) return jsonError(c, e);
    if (e instanceof UploadTooLarge) return jsonRefusal(c, 'VALIDATION', e.message, 413);
    throw e;
  }
}

/**
 * POST /api/imports (multipart: file, kind, area, dryRun, optional id) reads and checks or
 * commits the file and answers its report as JSON once the job ends (the job goes on if the
 * client leaves; the screen follows it with import.get). GET /api/imports/:id/report.<csv|xlsx>
 * downloads every row's result. Both are admins' (ROUTE_PERMISSIONS), behind the session, the
 * Origin check and the rate limit of app.ts. The upload's size is checked here as it streams
 * (413 past 16 MB), so the body goes to disk, never whole into memory.
 */
export function importRoutes(deps: Deps) {
  const routes = new Hono<AppEnv>();

  routes.post('/', requireRoute(deps, 'import.upload'), (c) =>
    refusing(c, async () => {
      const upload = await receiveUpload(c.req.raw, deps.config.uploadDir);
      const { id, done } = await startImport(deps, c.get('actor'), metaOf(deps, c), upload);
      await done;
      return c.json(await getImport(deps, id));
    }),
  );

  routes.get('/:id/:file', requireRoute(deps, 'import.report'), (c) =>
    refusing(c, async () => {
      const id = c.req.param('id');
      const format = ({ 'report.csv': 'csv', 'report.xlsx': 'xlsx' } as const)[c.req.param('file')];
      if (!format || !UUID.test(id)) return jsonRefusal(c, 'IMPORT_NOT_FOUND', `There is no ${c.req.path}.`, 404);
      const imp = await getImport(deps, id);
      const src = {
        importId: id, kind: imp.kind as ImportKind, fileName: imp.fileName, status: imp.status,
        counts: (imp.status === 'committed' ? imp.commitCounts : imp.dryRunCounts) as ImportCounts | null,
      };
      const stream = format === 'csv' ? reportCsv(deps, src) : reportXlsx(deps, src);
      stream.on('error', (e) => deps.logger.error('import report failed while streaming', { importId: id, error: String(e) }));
      const base = imp.fileName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'import';
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        headers: {
          'content-type': CONTENT_TYPES[format],
          'content-disposition': `attachment; filename="import-report_${base}.${format}"`,
          'cache-control': 'no-store',
        },
      });
    }),
  );
  return routes;
}
