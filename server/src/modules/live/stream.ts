import { AppError, isAppError, refusalOf, SIGN_IN_REFUSAL } from '@tracetrack/shared';
import type { LiveTopic } from '../../infra/live-bus';
import type { Context } from '../../trpc/context';
import { toTrpcError } from '../../trpc/init';
import { findActorById } from '../users/queries';

/** How often an open stream checks that its session and user are still good (sign-out, lock, role). */
export const SESSION_CHECK_MS = 15_000;
/** A stream looks again this often even when it heard nothing (a change published while Redis was down). */
export const SAFETY_REFRESH_MS = 60_000;

let openStreams = 0;
/** Live streams open in this process: a gauge for the leak test and for operations. */
export const openLiveStreams = () => openStreams;

/** Orders pokes and load starts in this process. */
let tick = 0;
/**
 * Concurrent loads of the same view (many dashboards woken by one change) share one query, but a
 * stream joins only a load that started after its last poke (`since`): one started before may
 * have read the database before the announced change committed, and the stream would send that
 * and wait, the change unseen.
 */
const inFlight = new Map<string, { loading: Promise<unknown>; startedAt: number }>();
function sharedLoad<T>(key: string, load: () => Promise<T>, since: number): Promise<T> {
  const running = inFlight.get(key);
  if (running && running.startedAt > since) return running.loading as Promise<T>;
  const startedAt = ++tick;
  const loading = load().finally(() => {
    if (inFlight.get(key)?.startedAt === startedAt) inFlight.delete(key);
  });
  inFlight.set(key, { loading, startedAt });
  return loading;
}

/** Refusals leave a stream as the one formatter shapes them (data.appCode), never as a 500. */
export function asTrpcError(e: unknown): unknown {
  return isAppError(e) ? toTrpcError(e) : e;
}

/**
 * The session behind the stream must still be live and its user still allowed this procedure:
 * a sign-out, an ended session, a lock or a role change ends the stream. The check does not
 * extend the session: a screen left open is not someone using the app.
 */
async function assertStillAllowed(ctx: Context, path: string): Promise<{ isSameScope: boolean }> {
  const session = ctx.sessionToken ? await ctx.deps.sessions.peek(ctx.sessionToken) : null;
  const actor = session ? await findActorById(ctx.deps.db, session.userId, { epoch: session.epoch, adminTwoFactor: ctx.deps.config.adminTwoFactor }) : null;
  if (!actor) throw new AppError('UNAUTHENTICATED', SIGN_IN_REFUSAL);
  const refusal = refusalOf(path, actor);
  if (refusal) throw refusal;
  return { isSameScope: actor.role === ctx.actor?.role && actor.area === ctx.actor?.area };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A live view: its current value at once, then again each time one of its topics is published
 * (at most every minIntervalMs), until the client goes away (signal) or its session ends. The
 * bus only says "look again"; each stream loads its own view, so role and area scoping stay in
 * the services that build it. `key` names the view for sharing loads between streams.
 */
export async function* liveView<L, T = L>(opts: {
  ctx: Context;
  path: string;
  signal: AbortSignal | undefined;
  topics: LiveTopic[];
  key: string;
  load: () => Promise<L>;
  /** What the client is sent of a load (default: all of it). */
  view?: (loaded: L) => T;
  /** More topics to follow, read from each load (a bill's parents). */
  topicsOf?: (loaded: L) => LiveTopic[];
  minIntervalMs?: number;
}): AsyncGenerator<T, void, unknown> {
  const { ctx, topics } = opts;
  // The client going away, or this process stopping: either ends the stream. (Listeners, removed
  // at the end, rather than AbortSignal.any: the process-wide signal outlives every stream.)
  const ended = new AbortController();
  const end = () => ended.abort();
  const sources = [opts.signal, ctx.deps.live.closing].filter((s): s is AbortSignal => s !== undefined);
  for (const s of sources) {
    if (s.aborted) end();
    else s.addEventListener('abort', end, { once: true });
  }
  const signal = ended.signal;
  openStreams++;
  let isDirty = true;
  let wake: (() => void) | null = null;
  // When the stream last learnt its view may have changed (its loads must start after it).
  let dirtySince = 0;
  const poke = () => {
    isDirty = true;
    dirtySince = ++tick;
    wake?.();
  };
  const unsubscribes = topics.map((t) => ctx.deps.live.subscribe(t, poke));
  // The first load starts after the subscriptions: a change announced before them is in it.
  dirtySince = ++tick;
  // The topics read from the last load, each with its unsubscribe.
  const followed = new Map<LiveTopic, () => void>();
  const follow = (wanted: LiveTopic[]) => {
    const keep = new Set(wanted);
    for (const [t, off] of followed) {
      if (!keep.has(t)) {
        off();
        followed.delete(t);
      }
    }
    for (const t of keep) if (!followed.has(t) && !topics.includes(t)) followed.set(t, ctx.deps.live.subscribe(t, poke));
  };
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    let checkAt = Date.now() + SESSION_CHECK_MS;
    let refreshAt = Date.now() + SAFETY_REFRESH_MS;
    while (!signal.aborted) {
      if (Date.now() >= checkAt) {
        // A new role or area changes what the view holds (a dispatcher's dashboard is their
        // area's): the stream ends, and the client's next one is built for the user as they are.
        if (!(await assertStillAllowed(ctx, opts.path)).isSameScope) return;
        checkAt = Date.now() + SESSION_CHECK_MS;
      }
      if (Date.now() >= refreshAt) poke();
      if (isDirty) {
        isDirty = false;
        refreshAt = Date.now() + SAFETY_REFRESH_MS;
        const loadedAt = Date.now();
        const loaded = await sharedLoad(opts.key, opts.load, dirtySince);
        if (opts.topicsOf) follow(opts.topicsOf(loaded));
        yield opts.view ? opts.view(loaded) : (loaded as unknown as T);
        if (opts.minIntervalMs) await sleep(opts.minIntervalMs - (Date.now() - loadedAt), signal);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(checkAt, refreshAt) - Date.now()));
        const clear = () => clearTimeout(timer);
        wake = () => {
          clear();
          resolve();
        };
        if (signal.aborted || isDirty) wake();
      });
      wake = null;
    }
  } catch (e) {
    throw asTrpcError(e);
  } finally {
    openStreams--;
    for (const off of [...unsubscribes, ...followed.values()]) off();
    signal.removeEventListener('abort', onAbort);
    for (const s of sources) s.removeEventListener('abort', end);
  }
}
