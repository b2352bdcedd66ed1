// Everything the rate search takes from the engine that `run` uses, in one place: the targets
// (Postgres, Redis, the environment), the deployment of one data size, a strategy made ready for
// steps (its check connection, ledger and first exact check), and one step, run as a phase of
// `run` is (runStrategyPhase: the strategy's jobs, the driver, convergence and drain, the exact
// check) with the step's open load and short phases. The rest of harness/capacity only calls this.
import type { Redis } from 'ioredis';
import type { LoadModel, Scenario } from '../config/types.ts';
import type { CounterDrift, Environment, StrategyStatus } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import type { LiveStats } from '../load/driver.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { dropSchema } from '../db/schemas.ts';
import { SCHEMA_PREFIX } from '../db/schema-name.ts';
import { deployEach, type Deployed } from '../run/deploy.ts';
import { openTargets as openRunTargets, type Targets as RunTargets } from '../run/targets.ts';
import { runStrategyPhase } from '../run/strategy-phase.ts';
import { Ledger } from '../measure/ledger.ts';
import { exactCheck, truthByUser } from '../measure/drift.ts';
import { describeFault } from '../../reports/faults.ts';
import type { StepMeasurement } from './verdict.ts';

/** The run's targets (harness/run/targets.ts: the namespace's lock, an admin connection that
 *  survives a lost backend, guarded stops), under the names the search uses. */
export interface Targets {
  pgUrl: string;
  redisUrl?: string;
  redis?: Redis;
  /** why there is no Redis, for the strategies that need one */
  redisReason: string;
  /** outside any schema, for deployments and the server's statistics */
  admin: Reconnecting;
  environment: Environment;
  run: RunTargets;
  close(): Promise<void>;
}

export async function openTargets(o: {
  databaseUrl?: string;
  env: NodeJS.ProcessEnv;
  namespace?: string;
  needsRedis: boolean;
  log: (l: string) => void;
  warn: (l: string) => void;
}): Promise<Targets> {
  const run = await openRunTargets(o);
  return {
    pgUrl: run.pg.url,
    redisUrl: run.redis?.target.url,
    redis: run.redis?.client,
    redisReason: run.redisReason,
    admin: run.admin,
    environment: run.environment,
    run,
    close: () => run.stop(),
  };
}

/** One strategy at one data size. */
export interface SizedEntry {
  strategy: Strategy;
  ctx: StrategyContext;
  result: { status: StrategyStatus; reason?: string };
}

/** Deploys every entry side by side (deployEach); `touched` hears of each schema before it is
 *  created, so the caller can drop it whatever happens. */
export async function deploySize<T extends SizedEntry>(
  t: Targets,
  entries: T[],
  data: Scenario['data'],
  o: { signal?: AbortSignal; log: (l: string) => void; touched: (e: T) => void; deployed: (e: T, d: Deployed) => void },
): Promise<void> {
  await deployEach(entries, { url: t.pgUrl, admin: () => t.admin.get(), data, redis: t.redis, redisReason: t.redisReason, signal: o.signal, log: o.log, touched: o.touched, deployed: o.deployed });
}

/** Drops the entries' schemas (unless kept) and their Redis keys. */
export async function undeploy(t: Targets, entries: SizedEntry[], keep: boolean): Promise<void> {
  if (!keep) for (const e of entries) await dropSchema(await t.admin.get(), e.ctx.schema).catch(() => {});
  if (t.redis) for (const e of entries) await e.strategy.cleanup?.(t.redis, e.ctx).catch(() => {});
}

/**
 * The strategy as the engine runs it in a step: the same, under an id of this search's own. The
 * engine names its connections counterbench:<id> and, before each statistics snapshot, waits for
 * every backend so named on the server to go quiet; under the plain id a step would wait for any
 * other run's connections on a shared server (up to ten seconds, twice a step), and they for ours.
 */
export function engineStrategy(strategy: Strategy, ctx: StrategyContext): Strategy {
  return { ...strategy, id: `cap-${ctx.schema.slice(SCHEMA_PREFIX.length)}` };
}

/** A deployed strategy ready for steps. */
export interface StepTarget {
  entry: SizedEntry;
  targets: Targets;
  /** in the strategy's schema, for the checks; named outside counterbench:<id>, so that the
   *  steps' snapshots do not wait for it */
  check: Reconnecting;
  ledger: Ledger;
  /** the size's scenario (data.users is this size) */
  scenario: Scenario;
  /** the last exact check: a step's drift is measured from it */
  counters: CounterDrift[];
  close(): Promise<void>;
}

export async function prepareStrategy(t: Targets, e: SizedEntry, scenario: Scenario): Promise<StepTarget> {
  const check = await reconnecting(t.pgUrl, { schema: e.ctx.schema, applicationName: `counterbench-capacity:${e.strategy.id}:check` });
  try {
    const ledger = new Ledger(scenario.data.users, await truthByUser(await check.get()));
    const counters = await exactCheck(await check.get(), t.redis, e.strategy, e.ctx);
    return { entry: e, targets: t, check, ledger, scenario, counters, close: () => check.end().catch(() => {}) };
  } catch (err) {
    await check.end().catch(() => {});
    throw err;
  }
}

/** The worst counter's wrong increments, lost and extra: what a step's drift is measured from. */
export function wrongIncrements(counters: CounterDrift[]): number {
  return counters.reduce((m, c) => Math.max(m, c.lost + c.extra), 0);
}

/** Runs one step and moves the target's last exact check on to the one after it. */
export async function runStep(
  t: StepTarget,
  load: Extract<LoadModel, { kind: 'open' }>,
  o: { warmupSeconds: number; windowSeconds: number; signal?: AbortSignal; onProgress?: (s: LiveStats) => void },
): Promise<StepMeasurement> {
  const { strategy, ctx } = t.entry;
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
    strategy: engineStrategy(strategy, ctx),
    ctx,
    pgUrl: t.targets.pgUrl,
    redisUrl: t.targets.redisUrl,
    scenario,
    ledger: t.ledger,
    // the same for every strategy and step: at one rate, every strategy sees the same arrivals
    seed: t.scenario.seed,
    check: t.check,
    admin: t.targets.admin,
    redis: t.targets.redis,
    redisWatch: t.targets.run.redis?.watch,
    round: 1,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  // a step that a fault hit or whose counters could not be checked decides nothing about the
  // strategy's capacity: the search stops there and says why
  const hit = r.faults.filter((f) => f.happened);
  if (hit.length) throw new Error(`a fault hit the step: ${hit.map(describeFault).join('; ')}`);
  if (r.checkError) throw new Error(r.checkError);
  const before = t.counters;
  t.counters = r.counters;
  return {
    startedAt,
    wallMs: Date.now() - startedAt,
    offeredRate: load.rate,
    clients: load.clients,
    maxInFlight: load.maxInFlight,
    warmupSeconds: o.warmupSeconds,
    windowSeconds: o.windowSeconds,
    ops: r.phase.ops,
    harness: r.phase.harness,
    drift: strategy.counters.length
      ? { added: Math.max(0, wrongIncrements(r.counters) - wrongIncrements(before)), consistent: r.counters.every((c) => c.usersInconsistent === 0) }
      : null,
  };
}
