// One step of the rate search, run by the engine that `run` uses: a copy of the size's scenario
// with the step's open load and short phases goes through runStrategyPhase (the strategy's jobs,
// the driver, convergence and drain, the exact check). This is the only module of the search
// that calls into the runner's internals.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { LoadModel, Scenario } from '../config/types.ts';
import type { CounterDrift } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import type { LiveStats } from '../load/driver.ts';
import type { Ledger } from '../measure/ledger.ts';
import { runStrategyPhase } from '../run/strategy-phase.ts';
import { SCHEMA_PREFIX } from '../db/schema-name.ts';
import type { StepMeasurement } from './verdict.ts';

/**
 * The strategy as the engine runs it in a step: the same, under an id of this search's own. The
 * engine names its connections counterbench:<id> and, before each statistics snapshot, waits for
 * every backend so named on the server to go quiet; under the plain id a step would wait for any
 * other run's connections on a shared server (up to ten seconds, twice a step), and they for ours.
 */
export function engineStrategy(strategy: Strategy, ctx: StrategyContext): Strategy {
  return { ...strategy, id: `cap-${ctx.schema.slice(SCHEMA_PREFIX.length)}` };
}

/** A strategy deployed at one data size, ready for steps. */
export interface StepTarget {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  redis?: Redis;
  /** outside any schema, for the server's statistics */
  admin: pg.Client;
  /** in the strategy's schema, for the checks; its application name must not start with
   *  counterbench:<id>, or every step would wait for it to go idle before its snapshots */
  check: pg.Client;
  ledger: Ledger;
  /** the size's scenario (data.users is this size) */
  scenario: Scenario;
}

/** The worst counter's wrong increments, lost and extra: what a step's drift is measured from. */
export function wrongIncrements(counters: CounterDrift[]): number {
  return counters.reduce((m, c) => Math.max(m, c.lost + c.extra), 0);
}

export interface StepRun {
  measurement: StepMeasurement;
  /** the exact check after the step: the next step's drift is measured from it */
  counters: CounterDrift[];
}

export async function runStep(
  t: StepTarget,
  load: Extract<LoadModel, { kind: 'open' }>,
  before: CounterDrift[],
  o: { warmupSeconds: number; windowSeconds: number; signal?: AbortSignal; onProgress?: (s: LiveStats) => void },
): Promise<StepRun> {
  const scenario: Scenario = {
    ...t.scenario,
    load,
    phases: { warmupSeconds: o.warmupSeconds, durationSeconds: o.windowSeconds, stages: [] },
    rounds: 1,
    thresholds: [],
    // the exact check after the step judges drift; a sampler during it would only add load
    options: { ...t.scenario.options, driftSampleIntervalMs: 0 },
  };
  const startedAt = Date.now();
  const r = await runStrategyPhase({
    strategy: engineStrategy(t.strategy, t.ctx),
    ctx: t.ctx,
    pgUrl: t.pgUrl,
    redisUrl: t.redisUrl,
    scenario,
    ledger: t.ledger,
    // the same for every strategy and step: at one rate, every strategy sees the same arrivals
    seed: t.scenario.seed,
    check: t.check,
    admin: t.admin,
    redis: t.redis,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const hasCounters = t.strategy.counters.length > 0;
  return {
    measurement: {
      startedAt,
      wallMs: Date.now() - startedAt,
      offeredRate: load.rate,
      clients: load.clients,
      maxInFlight: load.maxInFlight,
      warmupSeconds: o.warmupSeconds,
      windowSeconds: o.windowSeconds,
      ops: r.phase.ops,
      harness: r.phase.harness,
      drift: hasCounters
        ? {
            added: Math.max(0, wrongIncrements(r.counters) - wrongIncrements(before)),
            consistent: r.counters.every((c) => c.usersInconsistent === 0),
          }
        : null,
    },
    counters: r.counters,
  };
}
