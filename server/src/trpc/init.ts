import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { AppError, type AppErrorCode, isAppError } from '@tracetrack/shared';
import { isDataException, isTransientDbError, pgCodeOf } from '../infra/transaction';
import type { Context } from './context';

const TRPC_CODE_OF: Partial<Record<AppErrorCode, TRPC_ERROR_CODE_KEY>> = {
  VALIDATION: 'BAD_REQUEST',
  INVALID_CODE: 'BAD_REQUEST',
  WEAK_PASSWORD: 'BAD_REQUEST',
  AREA_REQUIRED: 'BAD_REQUEST',
  AREA_NOT_ALLOWED: 'BAD_REQUEST',
  AREA_NOT_FOUND: 'BAD_REQUEST',
  BAG_NOT_FOUND: 'NOT_FOUND',
  BILL_NOT_FOUND: 'NOT_FOUND',
  USER_NOT_FOUND: 'NOT_FOUND',
  IMPORT_NOT_FOUND: 'NOT_FOUND',
  FILE_UNREADABLE: 'BAD_REQUEST',
  ROW_INVALID: 'BAD_REQUEST',
  PROMOTION_NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'NOT_FOUND',
  RESERVATION_NOT_FOUND: 'NOT_FOUND',
  TICKET_NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  ACCOUNT_LOCKED: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  UNLINK_NOT_ALLOWED: 'FORBIDDEN',
  PARENT_IN_OTHER_AREA: 'FORBIDDEN',
  LAST_ADMIN: 'FORBIDDEN',
  OWN_ROLE: 'FORBIDDEN',
  DEVICE_NOT_REGISTERED: 'FORBIDDEN',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  TRANSIENT: 'SERVICE_UNAVAILABLE',
  ID_REUSED: 'CONFLICT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  // Accounts and security
  CLIENT_LOCKED: 'FORBIDDEN',
  TWO_FACTOR_REQUIRED: 'UNAUTHORIZED',
  TWO_FACTOR_INVALID: 'UNAUTHORIZED',
  TWO_FACTOR_ENROLMENT_REQUIRED: 'FORBIDDEN',
  PASSWORD_CHANGE_REQUIRED: 'FORBIDDEN',
  WRONG_PASSWORD: 'FORBIDDEN',
  RESET_TOKEN_INVALID: 'BAD_REQUEST',
  ACCOUNT_DEACTIVATED: 'FORBIDDEN',
  SESSION_NOT_FOUND: 'NOT_FOUND',
};

/** Business refusals not listed above are CONFLICTs: the request was fine, the state says no. */
export function trpcCodeOf(code: AppErrorCode): TRPC_ERROR_CODE_KEY {
  return TRPC_CODE_OF[code] ?? 'CONFLICT';
}

/** A service's refusal as the tRPC error every procedure (and subscription) answers with. */
export function toTrpcError(appError: AppError): TRPCError {
  return new TRPCError({ code: trpcCodeOf(appError.code), message: appError.message, cause: appError });
}

interface IssueLike {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

function fieldErrorsOf(cause: unknown): Record<string, string[]> | null {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  // A Map, not an object: the path comes from the caller's input and may be `__proto__`.
  const out = new Map<string, string[]>();
  for (const issue of issues as IssueLike[]) {
    const key = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '_';
    out.set(key, [...(out.get(key) ?? []), issue.message]);
  }
  return Object.fromEntries(out);
}

const t = initTRPC.context<Context>().create({
  // Stacks are never sent (the formatter drops them); in dev mode tRPC would still read every
  // refusal's stack, which --enable-source-maps makes costly.
  isDev: false,
  // Live screens (subscriptions over SSE): a comment every 15 s keeps proxies from closing an idle
  // stream, and a client that hears nothing for 40 s reconnects.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  // The one formatter: every refusal carries the shared code in data.appCode.
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors = error.code === 'BAD_REQUEST' ? fieldErrorsOf(cause) : null;
    const appCode: AppErrorCode = isAppError(cause)
      ? cause.code
      : fieldErrors
        ? 'VALIDATION'
        : error.code === 'UNAUTHORIZED'
          ? 'UNAUTHENTICATED'
          : error.code === 'FORBIDDEN'
            ? 'FORBIDDEN'
            : error.code === 'INTERNAL_SERVER_ERROR'
              ? 'INTERNAL'
              : 'VALIDATION';
    const message = fieldErrors
      ? `Invalid input: ${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ')}`
      : error.code === 'INTERNAL_SERVER_ERROR'
        ? 'Something went wrong on the server. It has been logged.'
        : shape.message;
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message,
      data: { ...data, appCode, fieldErrors, details: isAppError(cause) ? (cause.details ?? null) : null },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/**
 * The one middleware around every call (each call of a batch, HTTP or a test's caller); one, not
 * two, since tRPC copies its options and context at every level.
 *
 * - Turns a service's AppError into a TRPCError once, for every procedure. A database that is
 *   down or dropped the connection is a retryable TRANSIENT (503), never a 500. A value the
 *   database refuses is the caller's bad input (VALIDATION, 400): the shared schemas should have
 *   caught it, so it is logged to find the field that lets it through.
 * - Times the call for the metrics, by path and the HTTP status it is answered with; a 5xx goes
 *   to the recent-errors ring with its request id.
 */
const observedCall = t.middleware(async ({ ctx, path, next }) => {
  const started = performance.now();
  const result = await next();
  let answer = result;
  if (!result.ok) {
    const cause = result.error.cause;
    if (isDataException(cause)) {
      ctx.deps.logger.warn('input the database refused', { procedure: path, requestId: ctx.meta.requestId, sqlstate: pgCodeOf(cause), error: String(cause) });
    }
    const appError = isAppError(cause)
      ? cause
      : isTransientDbError(cause)
        ? new AppError('TRANSIENT', 'The database is unavailable right now. Try again.')
        : isDataException(cause)
          ? new AppError('VALIDATION', 'The request holds a value that cannot be stored (a NUL character, broken text or an out-of-range date).')
          : null;
    if (appError) answer = { ...result, error: toTrpcError(appError) };
  }
  const status = answer.ok ? 200 : getHTTPStatusCodeFromError(answer.error);
  ctx.deps.metrics?.observeCall(path, status, (performance.now() - started) / 1000);
  if (!answer.ok && status >= 500) {
    ctx.deps.recentErrors.record({ where: path, requestId: ctx.meta.requestId, status, message: String(answer.error.cause ?? answer.error.message) });
  }
  return answer;
});

export const baseProcedure = t.procedure.use(observedCall);
