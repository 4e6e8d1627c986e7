import type { MAX_MUTATIONS_PER_PUSH } from '@tracetrack/shared';
import { createSignal } from 'solid-js';
import { api, describeFailure, isRetryable } from '../api/trpc';
import { type OutcomeRow } from './db';
import { deviceIdentityOf, replaceDeviceId, setRegistered } from './device-identity';
import { type DeviceIdentity, getMeta } from './meta';
import { oldestPendingFor, outboxReportOf } from './outbox';
import { pruneOldOutcomes, storeResults } from './apply-results';
import { storePulledPage } from './pull-store';
import { fitPushBody, toPushMutation } from './push-batch';

const PUSH_LOCK = 'tracetrack-sync-push';
// The protocol's batch limit, checked against shared/ by type: importing the value would pull zod
// (the schemas live beside it) into the handheld's bundle.
const PUSH_BATCH: typeof MAX_MUTATIONS_PER_PUSH = 500;
const INTERVAL_MS = 15_000;
const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
const MAX_PULL_PAGES = 20;
const REPORT_EVERY_MS = 30_000;

export interface SyncStatus {
  /** The browser believes it has a network. */
  isOnline: boolean;
  /** The last push or pull reached the server. */
  isServerReachable: boolean;
  isPushing: boolean;
  /** The session ended: scans stay queued until the same user signs in again. */
  needsSignIn: boolean;
  lastError: string | null;
  lastSyncAt: number | null;
}

type OutcomeListener = (outcomes: OutcomeRow[]) => void;

/** A round's user is no longer the one signed in on this handheld; the round ends quietly. */
class UserChanged extends Error {}

/**
 * The one sync engine. Every scan is written to the outbox first; this pushes the outbox in seq
 * order (at start, after each scan, on reconnect and on an interval, with exponential backoff after
 * a failure), stores each outcome, then pulls what the server changed. Web Locks make sure only one
 * tab pushes at a time; the outbox is shared, so a waiting tab finds its scans already sent.
 */
function createSyncEngine() {
  const [status, setStatus] = createSignal<SyncStatus>({
    isOnline: navigator.onLine, isServerReachable: navigator.onLine, isPushing: false, needsSignIn: false, lastError: null, lastSyncAt: null,
  });
  const patch = (p: Partial<SyncStatus>) => setStatus((s) => ({ ...s, ...p }));
  const listeners = new Set<OutcomeListener>();
  // Outcomes another tab's push stored reach this tab's scan screen too (only one tab pushes).
  const outcomeChannel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('tracetrack-outcomes');
  outcomeChannel?.addEventListener('message', (e: MessageEvent<OutcomeRow[]>) => {
    for (const l of listeners) l(e.data);
  });
  let userId: number | null = null;
  let isAgainRequested = false;
  let backoffMs = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let intervalTimer: ReturnType<typeof setInterval> | undefined;

  const onOnline = () => {
    patch({ isOnline: true });
    backoffMs = 0;
    // The report first, on its own: it gets through even when the pushes that follow do not.
    void reportOutbox().then(retry);
  };

  let lastReportAt = 0;
  /**
   * A small report of what waits on this device, sent when it comes back online and (at most
   * every REPORT_EVERY_MS) while its pushes fail: the admins' device health screen then shows the
   * stuck scans even when the pushes cannot get through. Only for a registered device; failures
   * are dropped (the next push carries the same figures).
   */
  async function reportOutbox() {
    const uid = userId;
    if (uid === null) return;
    lastReportAt = Date.now();
    try {
      const identity = await deviceIdentityOf(uid);
      if (!identity.isRegistered) return;
      await assertStillSignedIn(uid);
      await api.device.report.mutate({ deviceId: identity.deviceId, outbox: await outboxReportOf(uid, 0) });
    } catch {
      // best effort
    }
  }
  const onOffline = () => patch({ isOnline: false, isServerReachable: false });
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  /**
   * Every request of a round goes out only while its user is still the one signed in, here and in
   * the other tabs (`me` is shared): after a sign-out the cookie may soon be the next user's, and
   * one of this user's pushes, or a registration of their device id, must never be sent under it.
   * The user is re-checked after the read, as stop() may have run meanwhile.
   */
  async function assertStillSignedIn(uid: number): Promise<void> {
    const me = await getMeta('me');
    if (me?.id !== uid || userId !== uid) throw new UserChanged();
  }

  /** This user's device id, registered; an id the server holds for someone else is replaced. */
  async function registeredIdentity(uid: number): Promise<DeviceIdentity> {
    const identity = await deviceIdentityOf(uid);
    if (identity.isRegistered) return identity;
    try {
      return await register(uid, identity.deviceId);
    } catch (e) {
      if (describeFailure(e).code !== 'DEVICE_OTHER_USER') throw e;
      return register(uid, (await replaceDeviceId(uid)).deviceId);
    }
  }

  async function register(uid: number, deviceId: string): Promise<DeviceIdentity> {
    await assertStillSignedIn(uid);
    const device = await api.device.register.mutate({ deviceId, label: navigator.userAgent.slice(0, 100) });
    return setRegistered(uid, deviceId, device.lastSeq);
  }

  /**
   * Pushes until this user's outbox is empty; throws the first failure. A row leaves the outbox
   * only with its own stored result (storeResults), never because of ackedThroughSeq, which stops
   * at the first seq the server never received while the scans after it are still answered.
   */
  async function pushAll(uid: number) {
    let { deviceId } = await registeredIdentity(uid);
    let hasRecovered = false;
    for (;;) {
      const { batch: rows, unsendable } = fitPushBody(await oldestPendingFor(uid, PUSH_BATCH));
      if (unsendable) {
        announce(await storeResults([unsendable], [{
          id: unsendable.id, status: 'rejected', code: 'VALIDATION', replay: false,
          message: 'This scan is too large to send to the server; it was kept here only.',
        }]));
        continue;
      }
      if (rows.length === 0) return;
      let res;
      await assertStillSignedIn(uid);
      try {
        // What waits besides this batch: the device health screen shows scans stuck on handhelds.
        const outbox = await outboxReportOf(uid, rows.length);
        res = await api.sync.push.mutate({ deviceId, mutations: rows.map(toPushMutation), outbox });
      } catch (e) {
        const code = describeFailure(e).code;
        // Forgotten by the server: register again. Bound to another user: take a new one. Once; a
        // second refusal is a real one.
        if ((code === 'DEVICE_NOT_REGISTERED' || code === 'DEVICE_OTHER_USER') && !hasRecovered) {
          hasRecovered = true;
          if (code === 'DEVICE_OTHER_USER') await replaceDeviceId(uid);
          else await setRegistered(uid, deviceId, null);
          ({ deviceId } = await registeredIdentity(uid));
          continue;
        }
        throw e;
      }
      announce(await storeResults(rows, res.results));
      patch({ isServerReachable: true, lastSyncAt: Date.now(), lastError: null });
    }
  }

  function announce(stored: OutcomeRow[]) {
    if (stored.length === 0) return;
    for (const l of listeners) l(stored);
    outcomeChannel?.postMessage(stored);
  }

  async function pullAll(uid: number) {
    const saved = await getMeta('pullCursor');
    let cursor = saved?.userId === uid ? saved.cursor : undefined;
    // Named, so the device health screen shows this device's last pull.
    const identity = await deviceIdentityOf(uid);
    const device = identity.isRegistered ? { deviceId: identity.deviceId } : {};
    for (let page = 0; page < MAX_PULL_PAGES; page++) {
      await assertStillSignedIn(uid);
      const res = await api.sync.pull.query(cursor ? { cursor, limit: 200, ...device } : { limit: 200, ...device });
      await storePulledPage(res, uid);
      cursor = res.cursor;
      if (!res.hasMore) return;
    }
  }

  async function runOnce(uid: number) {
    patch({ isPushing: true });
    try {
      await pushAll(uid);
      await pullAll(uid);
      backoffMs = 0;
      patch({ isServerReachable: true, lastError: null, lastSyncAt: Date.now() });
    } catch (e) {
      if (e instanceof UserChanged) {
        // Still this tab's user: someone signed out (or in) in another tab, with the shared cookie.
        if (userId === uid) patch({ needsSignIn: true, lastError: 'Signed out in another tab: sign in again to send the waiting scans.' });
        return;
      }
      const f = describeFailure(e);
      if (f.code === 'UNAUTHENTICATED') {
        patch({ needsSignIn: true, lastError: 'Signed out: sign in again to send the waiting scans.' });
        return;
      }
      // Anything else keeps the scans queued and tries again later; a non-retryable call failure
      // (a bug) waits the longest backoff rather than spinning.
      backoffMs = isRetryable(f) ? Math.min(BACKOFF_MAX_MS, backoffMs ? backoffMs * 2 : BACKOFF_START_MS) : BACKOFF_MAX_MS;
      if (f.code !== 'PUSH_IN_PROGRESS' && Date.now() - lastReportAt >= REPORT_EVERY_MS) void reportOutbox();
      patch({ isServerReachable: f.code !== null, lastError: f.message });
      clearTimeout(retryTimer);
      retryTimer = setTimeout(retry, backoffMs);
    } finally {
      patch({ isPushing: false });
    }
  }

  let running: Promise<void> | null = null;

  /** Runs the push/pull cycle; a call while one runs asks for one more round and shares its promise. */
  function drain(): Promise<void> {
    if (running) {
      isAgainRequested = true;
      return running;
    }
    // Cleared when the round settles, never from inside it: a round with nobody signed in ends
    // before its first await, and clearing there would run before `running` is even assigned,
    // leaving it set for good (no sync after the next sign-in until a reload).
    running = (async () => {
      do {
        isAgainRequested = false;
        const uid = userId;
        if (uid === null || status().needsSignIn) return;
        if (navigator.locks) await navigator.locks.request(PUSH_LOCK, () => runOnce(uid));
        else await runOnce(uid);
      } while (isAgainRequested && backoffMs === 0);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const retry = () => void drain();

  return {
    status,
    start(uid: number) {
      userId = uid;
      patch({ needsSignIn: false, lastError: null });
      clearInterval(intervalTimer);
      intervalTimer = setInterval(() => backoffMs === 0 && retry(), INTERVAL_MS);
      void pruneOldOutcomes();
      retry();
    },
    stop() {
      userId = null;
      clearInterval(intervalTimer);
      clearTimeout(retryTimer);
    },
    /** Push now (after a scan). During a backoff the scan waits for the retry timer. */
    kick() {
      if (backoffMs === 0) void drain();
    },
    /** Push and wait; true when nothing of this user is left waiting. */
    async syncNow(): Promise<boolean> {
      const uid = userId;
      if (uid === null) return false;
      backoffMs = 0;
      clearTimeout(retryTimer);
      await drain();
      return (await oldestPendingFor(uid, 1)).length === 0;
    },
    onOutcomes(listener: OutcomeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const syncEngine = createSyncEngine();
