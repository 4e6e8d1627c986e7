import { type Accessor, createSignal } from 'solid-js';
import { describeFailure } from '../../api/trpc';

/** How a live screen is getting its figures right now. */
export type LiveMode = 'connecting' | 'live' | 'polling';

export interface LiveHandlers<T> {
  onData: (value: T) => void;
  onError: (err: unknown) => void;
  onComplete: () => void;
  onConnectionStateChange: (state: { state: 'idle' | 'connecting' | 'pending'; error: unknown }) => void;
}

const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/**
 * Follows a live view: the subscription (server-sent events) while it holds; when the stream
 * drops or is refused, the screen polls every pollMs and the stream is tried again after 1 s,
 * 2 s, 4 s … up to 30 s. The first value from a new stream stops the polling. `mode` tells the
 * screen which it is (shown beside the figures). `refresh` reads once now (as a poll does, in any
 * mode): for a screen that must look again after its own change while the stream is down.
 */
export function followLive<T>(opts: {
  subscribe: (handlers: LiveHandlers<T>) => { unsubscribe: () => void };
  poll: () => Promise<T>;
  onValue: (value: T) => void;
  /** A failure of a poll (the stream's own failures only switch to polling). */
  onPollError?: (message: string, code: string | null) => void;
  pollMs: number;
}): { mode: Accessor<LiveMode>; refresh: () => Promise<void>; stop: () => void } {
  const [mode, setMode] = createSignal<LiveMode>('connecting');
  let isStopped = false;
  let backoffMs = 0;
  let sub: { unsubscribe: () => void } | null = null;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  // Reads overlap (polls, refreshes, stream values): only the latest one started may set the
  // screen, and a stream value counts as a read started when it arrives. An answer read before a
  // newer one, or before a stream value, cannot put older figures back; its failure is not shown
  // either (the newer read's outcome is).
  let latestRead = 0;
  const read = async () => {
    const seq = ++latestRead;
    const isLatest = () => !isStopped && seq === latestRead;
    try {
      const value = await opts.poll();
      if (isLatest()) opts.onValue(value);
    } catch (e) {
      if (!isLatest()) return;
      const f = describeFailure(e);
      opts.onPollError?.(f.message, f.code);
    }
  };
  const startPolling = () => {
    if (pollTimer !== undefined) return;
    setMode('polling');
    void read();
    pollTimer = setInterval(() => void read(), opts.pollMs);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  };

  // The subscription now in use; callbacks of an earlier one (ended by drop) are ignored.
  let current: object | null = null;
  const drop = () => {
    current = null;
    const ending = sub;
    sub = null;
    ending?.unsubscribe();
    if (isStopped) return;
    startPolling();
    backoffMs = backoffMs ? Math.min(BACKOFF_MAX_MS, backoffMs * 2) : BACKOFF_START_MS;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, backoffMs);
  };

  function connect() {
    if (isStopped) return;
    const mine = {};
    current = mine;
    const isCurrent = () => current === mine && !isStopped;
    sub = opts.subscribe({
      onData: (value) => {
        if (!isCurrent()) return;
        backoffMs = 0;
        stopPolling();
        setMode('live');
        latestRead++;
        opts.onValue(value);
      },
      onError: () => isCurrent() && drop(),
      // The server ended the stream (it is stopping): poll, and connect again (to another worker).
      onComplete: () => isCurrent() && drop(),
      // The event source lost its connection and is trying again on its own: poll meanwhile,
      // and reconnect on this schedule instead (backoff).
      onConnectionStateChange: (s) => {
        if (isCurrent() && s.state === 'connecting' && s.error) drop();
      },
    });
  }

  connect();
  return {
    mode,
    refresh: read,
    stop: () => {
      isStopped = true;
      sub?.unsubscribe();
      stopPolling();
      clearTimeout(reconnectTimer);
    },
  };
}
