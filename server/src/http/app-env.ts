import type { Actor } from '../modules/actor';
import type { SessionLookup } from '../trpc/http-context';
import type { AccessNote } from './access-note';

/**
 * What the app's middleware sets on every request. `session` is set for /trpc and /api requests
 * before their handlers run; `actor` by a route's guard (requireRoute); `isAnswered` by the /trpc
 * handler once its answer carries every header.
 */
export type AppEnv = { Variables: { requestId: string; ip: string | null; session: SessionLookup; actor: Actor; access: AccessNote; isAnswered: boolean } };
