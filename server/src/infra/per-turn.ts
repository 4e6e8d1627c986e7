/**
 * Work that many requests need, gathered for one turn of the event loop and sent together at its
 * end (`setImmediate`: after the socket reads of this turn), so N requests that arrive together
 * cost one socket write to Redis or Postgres instead of N. On this kind of machine a socket write
 * costs ~50 µs, a third of an authenticated read's server CPU (tests/bench/README.md). Alone, a
 * request waits only for the rest of its own turn; nothing is cached across turns, so every
 * request still gets its own fresh answer.
 */

let turnEnd: Promise<void> | null = null;

/** Resolves at the end of this turn: the same promise for every caller in the turn. */
export function endOfTurn(): Promise<void> {
  turnEnd ??= new Promise<void>((resolve) => {
    setImmediate(() => {
      turnEnd = null;
      resolve();
    });
  });
  return turnEnd;
}

interface Waiter<K, V> {
  key: K;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

/**
 * One call per key, answered by one `run` for every key asked in the same turn. `run` gets the
 * keys in order of asking (duplicates included) and answers each in the same order; when it fails,
 * every call of its batch fails with its error.
 */
export function batchPerTurn<K, V>(run: (keys: readonly K[]) => Promise<readonly V[]>): (key: K) => Promise<V> {
  let waiting: Waiter<K, V>[] | null = null;
  const flush = (batch: Waiter<K, V>[]) => {
    let answers: Promise<readonly V[]>;
    try {
      answers = run(batch.map((w) => w.key));
    } catch (e) {
      answers = Promise.reject(e);
    }
    answers.then(
      (values) => {
        for (let i = 0; i < batch.length; i += 1) batch[i]!.resolve(values[i]!);
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (!waiting) {
        const batch: Waiter<K, V>[] = [];
        waiting = batch;
        void endOfTurn().then(() => {
          waiting = null;
          flush(batch);
        });
      }
      waiting.push({ key, resolve, reject });
    });
}
