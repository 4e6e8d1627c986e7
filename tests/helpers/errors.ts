import { TRPCError } from '@trpc/server';
import { isAppError } from '@tracetrack/shared';
import { expect } from 'vitest';

/** Awaits a call that must fail; returns the tRPC code and the shared appCode it carried. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; appCode: string | undefined; message: string; details: unknown }> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    const err = e as TRPCError;
    const cause = err.cause;
    const appCode = isAppError(cause) ? cause.code : err.code === 'BAD_REQUEST' ? 'VALIDATION' : undefined;
    return { code: err.code, appCode, message: err.message, details: isAppError(cause) ? cause.details : undefined };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
