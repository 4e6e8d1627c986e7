import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { AppError, type AppErrorCode } from '@tracetrack/shared';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { trpcCodeOf } from '../trpc/init';

/**
 * A refusal from a plain HTTP route, in the shape tRPC errors have (`error.message`,
 * `error.data.appCode`), with the HTTP status the same code gets from a procedure.
 */
export function jsonError(c: Context, error: AppError): Response {
  const status = getHTTPStatusCodeFromError(new TRPCError({ code: trpcCodeOf(error.code) })) as ContentfulStatusCode;
  return c.json({ error: { message: error.message, data: { appCode: error.code, httpStatus: status, details: error.details ?? null } } }, status);
}

export function jsonRefusal(c: Context, code: AppErrorCode, message: string, status?: ContentfulStatusCode): Response {
  if (status === undefined) return jsonError(c, new AppError(code, message));
  return c.json({ error: { message, data: { appCode: code, httpStatus: status, details: null } } }, status);
}
