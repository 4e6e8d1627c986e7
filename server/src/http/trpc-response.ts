import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Under this, gzip costs more than it saves (compress()'s own threshold). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * @hono/node-server's lightweight Response keeps `[status, body, headers]` under a private
 * symbol until someone reads `.body`; reading the JSON text from there saves building a WHATWG
 * Response and a stream for every answer. Absent (another Response class, e.g. in app.request()
 * tests, or a new node-server), the text is read the standard way.
 */
let cacheSymbol: symbol | undefined;
function cachedText(res: Response): string | null {
  // Learnt from the first response that has it: a native Response (no symbol) leaves it unknown.
  cacheSymbol ??= Object.getOwnPropertySymbols(res).find((s) => s.description === 'cache');
  const cache = cacheSymbol ? (res as unknown as Record<symbol, unknown>)[cacheSymbol] : undefined;
  return Array.isArray(cache) && typeof cache[1] === 'string' ? cache[1] : null;
}

export type HeaderRecord = Record<string, string | string[]>;

/**
 * A tRPC answer (one JSON document) rebuilt once with every header it needs: `fixed` (security
 * headers, request id, no-store) and tRPC's own (content type, cookies, retry-after), as a plain
 * record, which node-server writes without WHATWG Headers validation. Bodies of 1 KB or more are
 * gzipped for clients that accept it; the others get a length and go plain. Event streams
 * (subscriptions) are not answers of this kind: the caller passes them through.
 */
export async function finishJsonAnswer(res: Response, fixed: HeaderRecord, acceptEncoding: string | undefined): Promise<Response> {
  const cached = cachedText(res);
  const body = cached ?? (await res.text());
  const headers: HeaderRecord = { ...fixed };
  for (const [name, value] of res.headers) if (name !== 'set-cookie') headers[name] = value;
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const length = Buffer.byteLength(body);
  if (length >= COMPRESS_THRESHOLD_BYTES && acceptEncoding && /\bgzip\b/i.test(acceptEncoding)) {
    const zipped = await gzipAsync(body);
    headers['content-encoding'] = 'gzip';
    headers.vary = 'accept-encoding';
    headers['content-length'] = String(zipped.byteLength);
    return new Response(new Uint8Array(zipped.buffer, zipped.byteOffset, zipped.byteLength), { status: res.status, headers: initOf(headers, cached !== null) });
  }
  headers['content-length'] = String(length);
  return new Response(body, { status: res.status, headers: initOf(headers, cached !== null) });
}

/**
 * node-server's Response hands a plain record to `writeHead`, which takes several cookies as an
 * array; a native Response would join them into one header, so it gets a Headers instead.
 */
function initOf(headers: HeaderRecord, isLightweight: boolean): HeadersInit {
  if (isLightweight) return headers as unknown as Record<string, string>;
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.set(name, value);
  }
  return out;
}
