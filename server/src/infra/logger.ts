import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean;
  /** The request's access line at info (one a request: serialised by its known shape). */
  access(fields: AccessFields): void;
}

/** What an access line holds (observe.ts); `procedures` for /trpc, `path` for the rest. */
export interface AccessFields {
  requestId: string;
  method: string;
  procedures?: string[];
  path?: string;
  status: number;
  durationMs: number;
  userId: number | null;
  deviceId?: string | null;
}

export interface LoggerOptions {
  /** Where lines below warn go (default stdout); warn and error go to `errorDestination` (default stderr). */
  destination?: pino.DestinationStream;
  errorDestination?: pino.DestinationStream;
  /** Fields on every line (e.g. the worker's pid is added by pino itself). */
  base?: Record<string, unknown>;
}

const requestFields = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Runs a request's handling with its id bound: every line logged meanwhile (an error deep in a
 * service included) carries `requestId` unless it names one itself.
 */
export function withRequestId<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return requestFields.run({ requestId }, fn);
}

/**
 * pino's isoTime builds a Date and its ISO text for every line; this builds the text up to the
 * second once a second and adds the milliseconds (the same text, ~10× cheaper).
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let second = -1;
  let prefix = '';
  return () => {
    const ms = now();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const frac = ms - s * 1000;
    return `,"time":"${prefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z"`;
  };
}

/** Lines below warn are written in blocks of this size, or at least every FLUSH_MS. */
const BUFFER_BYTES = 4096;
const FLUSH_MS = 1_000;

/**
 * pino: one JSON line per entry, `{"level":"info","time":"…","pid":…,"msg":…, …fields}`, warn and
 * error on stderr, the rest on stdout.
 * - warn and error are written synchronously: a line is not lost when the process dies right
 *   after it.
 * - Lines below warn (the access log: one a request) are buffered and written in 4 KB blocks, at
 *   least once a second and when the process exits (pino flushes on exit). A process killed with
 *   SIGKILL loses at most the last second of them. One write a request cost ~2% of a request's
 *   CPU.
 * - Two loggers, one per stream, instead of pino.multistream, which loops over its streams for
 *   every line.
 */
export function createLogger(level: LogLevel = 'info', opts: LoggerOptions = {}): Logger {
  const buffered = opts.destination ? null : pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
  const out = opts.destination ?? buffered!;
  const err = opts.errorDestination ?? (opts.destination ? out : pino.destination({ dest: 2, sync: true }));
  if (buffered) setInterval(() => buffered.flush(), FLUSH_MS).unref();
  const baseFields = { pid: process.pid, ...opts.base };
  const timestamp = isoTimestamp();
  const options: pino.LoggerOptions = {
    level,
    base: baseFields,
    timestamp,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => requestFields.getStore() ?? {},
  };
  const low = pino(options, out);
  const high = err === out ? low : pino(options, err);
  // `"pid":…` and any other base fields, as pino writes them after the time.
  const base = JSON.stringify(baseFields).slice(1, -1);
  return {
    debug: (msg, fields) => low.debug(fields ?? {}, msg),
    info: (msg, fields) => low.info(fields ?? {}, msg),
    warn: (msg, fields) => high.warn(fields ?? {}, msg),
    error: (msg, fields) => high.error(fields ?? {}, msg),
    isLevelEnabled: (l) => low.isLevelEnabled(l),
    // The same JSON line pino writes for `info('request', fields)` (fields in their order, msg
    // last), built by its fixed shape: pino's generic serialiser walking the object, the mixin and
    // the level formatter cost ~20 µs a request in the server. Strings go through JSON.stringify.
    access: (f) => {
      if (!low.isLevelEnabled('info')) return;
      const where = f.procedures ? `"procedures":${JSON.stringify(f.procedures)}` : `"path":${JSON.stringify(f.path ?? '')}`;
      const device = f.deviceId ? `,"deviceId":${JSON.stringify(f.deviceId)}` : '';
      out.write(
        `{"level":"info"${timestamp()},${base},"requestId":${JSON.stringify(f.requestId)},"method":${JSON.stringify(f.method)},${where},` +
          `"status":${f.status},"durationMs":${f.durationMs},"userId":${f.userId ?? 'null'}${device},"msg":"request"}\n`,
      );
    },
  };
}
