import { AppError } from '@tracetrack/shared';

/**
 * A bounded admission queue: at most `concurrency` jobs run at once; up to `maxWaiting` more wait
 * their turn in arrival order (FIFO); beyond that a job is refused at once with a retryable
 * TRANSIENT (503), never left to time out inside the connection pool. A waiting job whose
 * caller gave up (its signal aborted) leaves the queue without running.
 *
 * The server admits `sync.push` through one of these per process (see app.ts): a reconnect storm
 * of long pushes is served in order while reads, which do not pass through it, keep the rest of
 * the pool's connections.
 */
export interface AdmissionQueue {
  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Jobs running now and jobs waiting. */
  stats(): { running: number; waiting: number };
}

export interface AdmissionOptions {
  concurrency: number;
  maxWaiting: number;
  /** The refusal's message when the queue is full. */
  busyMessage?: string;
}

interface Waiter {
  start: () => void;
}

export function createAdmissionQueue(opts: AdmissionOptions): AdmissionQueue {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error('concurrency must be a positive integer');
  if (!Number.isInteger(opts.maxWaiting) || opts.maxWaiting < 0) throw new Error('maxWaiting must be a non-negative integer');
  let running = 0;
  const waiting: Waiter[] = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) next.start();
  };

  return {
    run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(new AppError('TRANSIENT', 'The request was cancelled before it ran.'));
      const execute = async (): Promise<T> => {
        try {
          return await job();
        } finally {
          release();
        }
      };
      if (running < opts.concurrency && waiting.length === 0) {
        running += 1;
        return execute();
      }
      if (waiting.length >= opts.maxWaiting) {
        return Promise.reject(new AppError('TRANSIENT', opts.busyMessage ?? 'The server is busy. Try again in a moment.', { retryAfterSeconds: 5 }));
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => {
          const i = waiting.indexOf(waiter);
          if (i >= 0) waiting.splice(i, 1);
          reject(new AppError('TRANSIENT', 'The request was cancelled before it ran.'));
        };
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            running += 1;
            execute().then(resolve, reject);
          },
        };
        waiting.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stats: () => ({ running, waiting: waiting.length }),
  };
}
