import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean;
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
 * pino: one JSON line per entry, `{"level":"info","time":"…","pid":…,"msg":…, …fields}`, warn and
 * error on stderr, the rest on stdout. Writes are synchronous (pino's default for stdout), so a
 * line is not lost when the process exits right after it.
 */
export function createLogger(level: LogLevel = 'info', opts: LoggerOptions = {}): Logger {
  const out = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const err = opts.errorDestination ?? (opts.destination ? out : pino.destination({ dest: 2, sync: true }));
  const streams = out === err
    ? [{ level: 'debug' as const, stream: out }]
    : [{ level: 'debug' as const, stream: out }, { level: 'warn' as const, stream: err }];
  const p = pino(
    {
      level,
      base: { pid: process.pid, ...opts.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => requestFields.getStore() ?? {},
    },
    // dedupe: a line goes only to the stream with the highest level it reaches (warn → stderr only).
    pino.multistream(streams, { dedupe: true }),
  );
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    isLevelEnabled: (l) => p.isLevelEnabled(l),
  };
}
