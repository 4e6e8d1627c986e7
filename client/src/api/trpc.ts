import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
// Zod-free module: the handheld's bundle stays without the schemas.
import { type AppErrorCode, RETRYABLE_ERROR_CODES } from '@tracetrack/shared/errors';
// Type-only, through the server package's export: the router's types describe the API; no server
// code reaches the bundle.
import type { AppRouter } from '@tracetrack/server/router';
import type { MAX_BATCH_CALLS } from '@tracetrack/shared';

// The server refuses a larger batch; the type keeps the two equal without bundling shared's zod.
const MAX_BATCH: typeof MAX_BATCH_CALLS = 10;

/**
 * The one tRPC client. Features and the sync engine call it; components and routes only read
 * failures through describeFailure.
 */
export const api = createTRPCClient<AppRouter>({
  links: [
    // Live screens (live.*) are subscriptions over server-sent events; everything else is batched
    // HTTP. The session cookie goes with both (same origin).
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/trpc', eventSourceOptions: () => ({ withCredentials: true }) }),
      false: httpBatchLink({
        url: '/trpc',
        maxItems: MAX_BATCH,
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: 'include' }),
      }),
    }),
  ],
});

export interface ApiFailure {
  /** The shared refusal code; null when the server was not reached. */
  code: AppErrorCode | null;
  httpStatus: number | null;
  message: string;
  details: Record<string, unknown> | null;
  fieldErrors: Record<string, string[]> | null;
}

export function describeFailure(e: unknown): ApiFailure {
  if (e instanceof TRPCClientError) {
    const data = e.data as { appCode?: AppErrorCode; httpStatus?: number; details?: Record<string, unknown> | null; fieldErrors?: Record<string, string[]> | null } | undefined;
    if (data?.appCode) {
      return { code: data.appCode, httpStatus: data.httpStatus ?? null, message: e.message, details: data.details ?? null, fieldErrors: data.fieldErrors ?? null };
    }
    // Plain HTTP errors from middleware (415/403/429) carry appCode at the top of the body.
    const meta = e.meta as { response?: Response } | undefined;
    return { code: null, httpStatus: meta?.response?.status ?? null, message: e.message || 'Network error', details: null, fieldErrors: null };
  }
  return { code: null, httpStatus: null, message: e instanceof Error ? e.message : String(e), details: null, fieldErrors: null };
}

/** Failures worth trying again: no answer, the server busy or down, this device already pushing. */
export function isRetryable(f: ApiFailure): boolean {
  if (f.code === null) return true;
  if (RETRYABLE_ERROR_CODES.includes(f.code)) return true;
  return f.httpStatus === 503 || f.httpStatus === 502 || f.httpStatus === 504;
}
