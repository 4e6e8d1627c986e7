import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from './logger';

/**
 * What changed, as a topic: `dashboard`, `devices`, `bill:<id>`, `parent:<id>` (a parent bag's
 * children), `import:<id>`. A topic says "look again", never what changed: each live stream
 * reloads its own (role- or area-scoped) view.
 */
export type LiveTopic = 'dashboard' | 'devices' | `bill:${number}` | `parent:${number}` | `import:${string}`;

export interface LiveBus {
  /**
   * Marks topics changed. Call it after the transaction that changed them has committed. Topics
   * marked within COALESCE_MS leave together, each once: a 500-scan push publishes once per bill.
   */
  publish(topics: Iterable<LiveTopic>): void;
  /** Calls the listener when the topic is published by any process (this one included). */
  subscribe(topic: LiveTopic, listener: () => void): () => void;
  /** Sends what is waiting now (tests, shutdown). */
  flush(): Promise<void>;
  /**
   * Aborted when the process stops serving (endStreams): live streams end, so a stopping server
   * is not held open by them and their clients reconnect to another worker or instance.
   */
  readonly closing: AbortSignal;
  endStreams(): void;
  close(): Promise<void>;
}

/**
 * At most one message per window: a change after a quiet window goes out on the next timer tick
 * (with every change of the same tick), the changes that follow within the window wait for its
 * end and go together, so a burst of scans or a push's chunks cost two messages, not hundreds,
 * and an isolated change is not held back.
 */
export const COALESCE_MS = 100;

/**
 * The bus: Redis pub/sub when Redis is configured (one channel, REDIS_PREFIX + `live`, a JSON
 * array of topics per message; a dedicated subscriber connection, as a subscribed ioredis client
 * can run nothing else), so every worker process and server instance hears every change; an
 * in-process EventEmitter otherwise.
 */
export function createLiveBus(opts: { redis: Redis | null; prefix: string; logger: Logger }): LiveBus {
  const local = new EventEmitter();
  // One listener per open stream: hundreds of dashboards are normal, not a leak.
  local.setMaxListeners(0);
  const channel = `${opts.prefix}live`;
  const emit = (topics: string[]) => {
    for (const t of topics) local.emit(t);
  };

  /**
   * Every open stream of this process loads again: for when changes may have gone unheard (the
   * subscriber was away from Redis, or this process could not publish its own).
   */
  const emitAll = () => {
    for (const topic of local.eventNames()) local.emit(topic);
  };

  let subscriber: Redis | null = null;
  if (opts.redis) {
    // Named, so CLIENT LIST shows which connection it is (and a test can drop it). It subscribes
    // itself on every connect (below), so ioredis's own resubscribe is off: one place, one SUBSCRIBE.
    const sub = opts.redis.duplicate({
      enableAutoPipelining: false, maxRetriesPerRequest: null, autoResubscribe: false, connectionName: `${channel}-subscriber`,
    });
    subscriber = sub;
    sub.on('error', (e) => opts.logger.warn('live bus subscriber error', { error: String(e) }));
    // Messages published while the subscriber was away are lost for good (pub/sub keeps nothing).
    // Once it is back and subscribed again, every stream here reloads instead of waiting for its
    // safety refresh (a minute).
    let connectedBefore = false;
    sub.on('ready', () => {
      const isReconnect = connectedBefore;
      connectedBefore = true;
      sub.subscribe(channel).then(
        () => {
          if (!isReconnect) return;
          opts.logger.info('live bus subscriber is back; open live screens reload');
          emitAll();
        },
        (e) => opts.logger.warn('live bus subscribe failed', { error: String(e) }),
      );
    });
    sub.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      try {
        const topics = JSON.parse(message) as unknown;
        if (Array.isArray(topics)) emit(topics.filter((t): t is string => typeof t === 'string'));
      } catch {
        opts.logger.warn('live bus message is not JSON', { channel });
      }
    });
  }

  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  const send = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.size === 0) return;
    lastSentAt = Date.now();
    const topics = [...pending];
    pending = new Set();
    if (!opts.redis) return emit(topics);
    // This process hears its own message through its subscriber, like every other process.
    await opts.redis.publish(channel, JSON.stringify(topics)).then(
      () => undefined,
      (e) => {
        // This process's own screens still hear it; the others reload when their subscribers
        // are back (above), or on their next refresh.
        emit(topics);
        opts.logger.warn('live bus publish failed; other processes\' screens catch up when Redis is back', { error: String(e) });
      },
    );
  };

  const closing = new AbortController();
  return {
    closing: closing.signal,
    endStreams: () => closing.abort(),
    publish(topics) {
      for (const t of topics) pending.add(t);
      if (pending.size > 0 && !timer) timer = setTimeout(() => void send(), Math.max(0, lastSentAt + COALESCE_MS - Date.now()));
    },
    subscribe(topic, listener) {
      local.on(topic, listener);
      return () => local.off(topic, listener);
    },
    flush: send,
    async close() {
      closing.abort();
      await send();
      local.removeAllListeners();
      if (subscriber) await subscriber.quit().catch(() => subscriber?.disconnect());
    },
  };
}
