import type { User, UserCreateInput, UserListInput, UserUpdateInput } from '@tracetrack/shared';
import { api, describeFailure } from '../../api/trpc';
import { refusalSentence } from './refusals';

/** An admin action's answer: done (with what it returns) or a sentence saying why not. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    return { ok: false, message: refusalSentence(describeFailure(e)) };
  }
}

/** A list page for the paged list, which shows a failed load's message: here the refusal's sentence. */
export async function pageOrRefusal<T>(call: () => Promise<T>): Promise<T> {
  const res = await attempt(call);
  if (!res.ok) throw new Error(res.message);
  return res.value;
}

export type UserFilters = Omit<Partial<UserListInput>, 'limit' | 'cursor'>;

export function fetchUserPage(filters: UserFilters, cursor: string | null) {
  return pageOrRefusal(() => api.user.list.query({ limit: 50, ...filters, ...(cursor ? { cursor } : {}) }));
}

export const createUser = (input: UserCreateInput) => attempt(() => api.user.create.mutate(input));

export const updateUser = (input: UserUpdateInput): Promise<Outcome<User>> => attempt(() => api.user.update.mutate(input));

const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A temporary password for the admin to hand over: 16 characters from an alphabet without
 * look-alikes (no 0/O, 1/l/I), drawn with the browser's CSPRNG without modulo bias. The user must
 * change it at first sign-in.
 */
export function suggestTemporaryPassword(): string {
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  let out = '';
  while (out.length < 16) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < limit && out.length < 16) out += PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length];
    }
  }
  return out;
}

export const endUserSessions = (userId: number) => attempt(() => api.user.endSessions.mutate({ userId }));
export const resetUserTwoFactor = (userId: number) => attempt(() => api.user.resetTwoFactor.mutate({ userId }));
export const deactivateUser = (userId: number) => attempt(() => api.user.deactivate.mutate({ userId }));

/** A reset link for the admin to hand over (absolute when the server knows its public address). */
export async function issuePasswordReset(userId: number): Promise<Outcome<{ resetUrl: string; expiresAt: string }>> {
  const res = await attempt(() => api.user.issuePasswordReset.mutate({ userId }));
  if (!res.ok) return res;
  const url = new URL(res.value.resetUrl, window.location.origin).toString();
  return { ok: true, value: { resetUrl: url, expiresAt: res.value.expiresAt } };
}
