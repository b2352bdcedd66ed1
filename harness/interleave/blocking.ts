// Whether a step finished or waits on another session of the permutation, decided as
// PostgreSQL's isolation tester decides it: by asking the lock manager (pg_blocking_pids), not by
// a timeout. A step that neither finishes nor waits on one of them is still running: keep asking.
import type pg from 'pg';

/** A sent step: its promise, and whether it settled. */
export interface InFlight {
  promise: Promise<unknown>;
  settled: boolean;
  /** set when it failed */
  failed?: { error: unknown };
}

export function track(promise: Promise<unknown>): InFlight {
  const f: InFlight = { promise, settled: false };
  promise.then(
    () => {
      f.settled = true;
    },
    (error) => {
      f.failed = { error };
      f.settled = true;
    },
  );
  return f;
}

export class StepTimeout extends Error {}

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves 'done' once the step settled, or with the pids (among `sessions`) whose locks its
 * backend waits for. `pid` undefined: a step that cannot wait on a lock (Redis, a dead session).
 */
export async function doneOrWaiting(observer: pg.Client, f: InFlight, pid: number | undefined, sessions: ReadonlySet<number>, timeoutMs: number): Promise<'done' | number[]> {
  const deadline = Date.now() + timeoutMs;
  // a step that does not wait answers within a few turns of the event loop
  for (let i = 0; i < 3; i++) {
    if (f.settled) return 'done';
    await tick();
  }
  for (let i = 0; ; i++) {
    if (f.settled) return 'done';
    if (pid !== undefined) {
      const r = await observer.query<{ b: number[] }>('SELECT pg_blocking_pids($1) AS b', [pid]);
      if (f.settled) return 'done';
      const by = r.rows[0].b.filter((p) => sessions.has(p));
      if (by.length) return by;
    }
    if (Date.now() > deadline) throw new StepTimeout(`neither finished nor waited on another session within ${timeoutMs} ms`);
    await sleep(i < 20 ? 1 : 5);
  }
}
