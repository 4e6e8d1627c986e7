/** One server-sent event as a browser's EventSource sees it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Opens a tRPC subscription over SSE with plain fetch (what httpSubscriptionLink's EventSource
 * does) and parses its events as they arrive. `next()` waits for the next data event (ping
 * comments and the `connected` event are skipped); `close()` aborts the request.
 */
export async function openSse(
  base: string,
  path: string,
  input: unknown,
  cookie: string | null,
  /** Another fetch (e.g. undici's with a dispatcher that trusts a proxy's certificate). */
  fetcher: (url: string, init: RequestInit) => Promise<Response> = fetch,
) {
  const controller = new AbortController();
  const url = `${base}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
  const res = await fetcher(url, { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) }, signal: controller.signal });
  const events: SseEvent[] = [];
  let waiting = null as (() => void) | null;
  let isEnded = false;
  const pump = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { event: 'message', data: '', id: null };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') e.event = value;
            else if (field === 'data') data.push(value);
            else if (field === 'id') e.id = value;
          }
          if (data.length === 0 && e.event === 'message') continue;
          e.data = data.join('\n');
          events.push(e);
          waiting?.();
        }
      }
    } catch {
      // aborted
    } finally {
      isEnded = true;
      waiting?.();
    }
  })();
  let read = 0;
  /** The next event that is not `connected` or a ping; null when the stream ended first. */
  const nextEvent = async (timeoutMs = 15_000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (read < events.length) {
        const e = events[read++]!;
        if (e.event !== 'connected' && e.event !== 'ping') return e;
      }
      if (isEnded) return null;
      if (Date.now() > deadline) throw new Error(`no event from ${path} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 100);
      });
      waiting = null;
    }
  };
  return {
    status: res.status,
    headers: res.headers,
    nextEvent,
    /** The next data event's value. */
    async next<T = any>(timeoutMs?: number): Promise<T> {
      const e = await nextEvent(timeoutMs);
      if (!e) throw new Error(`${path} ended`);
      if (e.event !== 'message') throw new Error(`${path} sent ${e.event}: ${e.data}`);
      return JSON.parse(e.data) as T;
    },
    /** Waits for a value that passes the check, skipping older ones. */
    async until<T = any>(check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await this.next<T>(Math.max(1, deadline - Date.now()));
        if (check(v)) return v;
      }
    },
    close: async () => {
      controller.abort();
      // The reader settles on the abort; a body that never started is not waited for.
      await Promise.race([pump, new Promise((r) => setTimeout(r, 2_000))]);
    },
  };
}
