// One strategy's turn in a round: its jobs start, the load runs, the load stops, the jobs are
// given time to converge on their own (timed), then drained, and every counter is checked.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { CounterDrift } from '../results/types.ts';
import type { Job, JobEvent, Strategy, StrategyContext } from '../strategies/types.ts';
import { connectPg } from '../db/connect.ts';
import { connectRedis } from '../provision/redis.ts';
import { runPhase, type LiveStats, type PhaseResult } from '../load/driver.ts';
import type { Ledger } from '../measure/ledger.ts';
import { counterSums, exactCheck } from '../measure/drift.ts';

export interface StrategyPhaseOptions {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  scenario: Scenario;
  ledger: Ledger;
  seed: number;
  /** a connection in the strategy's schema, for checks */
  check: pg.Client;
  redis?: Redis;
  signal?: AbortSignal;
  onProgress?: (s: LiveStats) => void;
}

export interface StrategyPhaseResult {
  phase: PhaseResult;
  events: JobEvent[];
  /** ms after the load ended until every counter's sum matched the truth without help; null if
   *  it had not by the drain timeout */
  convergeMs: number | null;
  counters: CounterDrift[];
}

const POLL_MS = 20;

async function startJobs(o: StrategyPhaseOptions, events: JobEvent[]): Promise<Job[]> {
  if (!o.strategy.jobs) return [];
  return o.strategy.jobs({
    ...o.ctx,
    connectPg: () => connectPg(o.pgUrl, { schema: o.ctx.schema, applicationName: `counterbench:${o.strategy.id}:job` }),
    connectRedis: async () => {
      const r = connectRedis(o.redisUrl!);
      r.on('error', () => {});
      await r.connect();
      return r;
    },
    mark: (e) => events.push(e),
  });
}

/** Waits until each counter's sum equals the true number of answers, or the timeout. */
async function awaitConvergence(o: StrategyPhaseOptions, hasJobs: boolean): Promise<number | null> {
  if (!o.strategy.counters.length) return 0;
  const started = Date.now();
  // the load is over, so the truth no longer moves: count it once
  const t = await o.check.query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new');
  const truth = Number(t.rows[0].n);
  for (let first = true; ; first = false) {
    const polledAt = Date.now();
    const sums = await counterSums(o.check, o.redis, o.strategy, o.ctx);
    // already right at the first look: nothing had to converge
    if (Object.values(sums).every((s) => s === truth)) return first ? 0 : polledAt - started;
    // without jobs nothing will change any more
    if (!hasJobs || Date.now() - started > o.scenario.options.drainTimeoutMs || o.signal?.aborted) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function runStrategyPhase(o: StrategyPhaseOptions): Promise<StrategyPhaseResult> {
  const events: JobEvent[] = [];
  const jobs = await startJobs(o, events);
  let phase: PhaseResult;
  let convergeMs: number | null;
  try {
    phase = await runPhase({ ...o });
    convergeMs = await awaitConvergence(o, jobs.length > 0);
    for (const j of jobs) await j.drain();
  } finally {
    for (const j of jobs) await j.stop();
  }
  const counters = await exactCheck(o.check, o.redis, o.strategy, o.ctx);
  return { phase, events, convergeMs, counters };
}
