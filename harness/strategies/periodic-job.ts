// A background job that runs one step every interval until stopped: the MV refresher, the
// Redis→Postgres syncer, the delta rollup and the Redis buffer's flusher are all this.
import type { Job, JobContext } from './types.ts';

export interface PeriodicStep {
  /** one unit of work; its duration is marked on the run's timeline */
  run(): Promise<void>;
  /** what the last step worked on, marked with it (e.g. "412 deltas of 37 users") */
  detail?(): string;
  close(): Promise<void>;
}

export function periodicJob(ctx: JobContext, name: string, kind: string, intervalMs: number, step: PeriodicStep): Job {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  /** true when the step succeeded */
  const runOnce = async (): Promise<boolean> => {
    const at = Date.now();
    try {
      await step.run();
      const detail = step.detail?.();
      ctx.mark({ kind, at, durationMs: Date.now() - at, ...(detail ? { detail } : {}) });
      return true;
    } catch (e) {
      ctx.mark({ kind, at, durationMs: Date.now() - at, error: (e as Error).message });
      return false;
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, intervalMs);
      });
      if (stopped) break;
      current = runOnce().then(() => {});
      await current;
    }
  })();

  const halt = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    wake?.();
    await loop;
  };

  return {
    name,
    async drain() {
      // the step in progress may have started before the load ended: run one more after it,
      // and again while it fails (a lost connection is replaced by the next try)
      await current;
      const deadline = Date.now() + ctx.options.drainTimeoutMs;
      while (!(await runOnce())) {
        if (Date.now() > deadline) throw new Error(`${name}: its last step still failed after ${ctx.options.drainTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await halt();
      await step.close();
    },
  };
}
