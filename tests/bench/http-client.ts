import http from 'node:http';

/** One keep-alive pool; sockets are keyed by local address, so each bench client keeps its own. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4 });

export interface Caller {
  /** Loopback source address: each simulated device has its own, as real handhelds do. */
  localAddress: string;
  cookie?: string;
}

export interface Reply {
  status: number;
  body: string;
  setCookie: string[];
}

export function send(base: URL, caller: Caller, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent, host: base.hostname, port: base.port, method, path, localAddress: caller.localAddress,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(caller.cookie ? { cookie: caller.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), setCookie: res.headers['set-cookie'] ?? [] }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export const mutate = (base: URL, caller: Caller, procedure: string, input: unknown) => send(base, caller, 'POST', `/trpc/${procedure}`, input);
export const query = (base: URL, caller: Caller, procedure: string, input: unknown) =>
  send(base, caller, 'GET', `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);

/** The tRPC result data, or a thrown error with the server's message. */
export function dataOf<T>(reply: Reply): T {
  const parsed = JSON.parse(reply.body) as { result?: { data?: T }; error?: { message: string } };
  if (reply.status !== 200 || !parsed.result) throw new Error(`HTTP ${reply.status}: ${parsed.error?.message ?? reply.body.slice(0, 200)}`);
  return parsed.result.data as T;
}

/** Distinct loopback addresses (127.x.y.z are all local on Linux): group g, index i. */
export function loopbackAddress(group: number, i: number): string {
  return `127.${10 + (group % 200)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
}
