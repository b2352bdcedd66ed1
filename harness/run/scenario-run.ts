// One scenario on servers that are already open: every strategy planned, deployed side by side,
// rounds of load, the checks, the results assembled, and its schemas dropped again. `run` calls it
// once; a suite (harness/suite) once per phase, on the same targets, so that each phase's schemas
// exist only while that phase runs.
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { Scenario } from '../config/types.ts';
import type { Results } from '../results/types.ts';
import { strategyById } from '../strategies/index.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { dropSchema } from '../db/schemas.ts';
import { schemaFor } from '../db/schema-name.ts';
import { deployEach } from './deploy.ts';
import { stopAll, type Targets } from './targets.ts';
import { goLive, runRounds, type Planned, type Live } from './rounds.ts';
import { assembleResults } from './assemble.ts';
import type { LiveStats } from '../load/driver.ts';

export interface ScenarioRunOptions {
  runId: string;
  startedAt: string;
  /** schemas counterbench_<namespace>_<id> */
  namespace?: string;
  /** Redis keys counterbench:<redisTag>:<id>: (default: the run id) */
  redisTag?: string;
  /** measure baseline beside the scenario's strategies (default true); a phase that reproduces
   *  one strategy's problem has no use for it */
  withBaseline?: boolean;
  /** keep the schemas after the scenario */
  keep?: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
  warn: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
  /** the run's /metrics (run --metrics-port) */
  metrics?: RunMetrics;
  /** after every strategy is deployed, before its ledger is taken: a phase may change the data
   *  or the schema here (a migration, more rows) */
  afterDeploy?: (entries: Planned[], t: Targets) => Promise<void>;
  /** after the rounds, while the schemas still exist: a phase may check, repair and load again */
  afterRounds?: (live: Live[], t: Targets) => Promise<void>;
}

/** Every strategy of the scenario, baseline first when the scenario left it out: every cost is
 *  also read as a ratio to the bare INSERT in the same round. Nothing has run yet. */
export function plan(s: Scenario, redisTag: string, namespace: string | undefined, withBaseline = true): Planned[] {
  const ids = s.strategies.includes('baseline') || !withBaseline ? s.strategies : ['baseline', ...s.strategies];
  const one = (id: string, http: boolean, tagged: boolean): Planned => {
    const strategy = strategyById(id);
    if (!strategy) throw new Error(`unknown strategy ${id}`); // the scenario validator names it first
    // with load.via both, the HTTP twin has a schema, Redis keys and a result id of its own
    const key = tagged ? `${id}-http` : id;
    const result: Planned['result'] = { id: tagged ? `${id}@http` : id, title: strategy.title, origin: strategy.origin, status: 'not-run', counters: strategy.counters.map((c) => c.name), ops: {} };
    if (http) Object.assign(result, { via: 'http' as const, ...(tagged ? { strategy: id } : {}) });
    return {
      strategy,
      ctx: { schema: schemaFor(key, namespace), redisPrefix: redisPrefixFor(redisTag, key), users: s.data.users, options: s.options },
      result,
      ...(http ? { via: 'http' as const } : {}),
    };
  };
  if (s.via === 'both') return ids.flatMap((id) => [one(id, false, false), one(id, true, true)]);
  return ids.map((id) => one(id, s.via === 'http', false));
}

export async function runScenario(t: Targets, s: Scenario, o: ScenarioRunOptions): Promise<Results> {
  const entries = plan(s, o.redisTag ?? o.runId, o.namespace, o.withBaseline ?? true);
  const touched: Planned[] = [];
  const live: Live[] = [];
  try {
    await deployEach(entries, {
      url: t.pg.url,
      admin: () => t.admin.get(),
      data: s.data,
      redis: t.redis?.client,
      redisReason: t.redisReason,
      signal: o.signal,
      log: o.log,
      touched: (e) => touched.push(e),
      deployed: (e, d) => {
        e.result.seed = { rows: d.seedRows, ms: d.seedMs, rowsPerSec: d.seedMs > 0 ? (d.seedRows / d.seedMs) * 1000 : 0 };
        o.log(`  seeded ${d.seedRows} rows in ${(d.seedMs / 1000).toFixed(1)} s (${Math.round(e.result.seed.rowsPerSec)} rows/s)${d.reason ? `; not deployable: ${d.reason}` : ''}`);
      },
    });
    if (o.afterDeploy && !o.signal?.aborted) await o.afterDeploy(entries, t);
    for (const e of entries) {
      if (e.result.status !== 'ok') continue;
      if (o.signal?.aborted) {
        e.result.status = 'not-run';
        e.result.reason = 'interrupted (Ctrl-C) before its turn';
        continue;
      }
      live.push(await goLive(e, t.pg.url, s));
    }
    await runRounds(live, { scenario: s, targets: t, signal: o.signal, log: o.log, onProgress: o.onProgress, metrics: o.metrics });
    if (o.afterRounds && !o.signal?.aborted) await o.afterRounds(live, t);
    return assembleResults({ runId: o.runId, startedAt: o.startedAt, scenario: s, entries, live, environment: t.environment, interrupted: o.signal?.aborted === true });
  } finally {
    await dropScenario(entries, live, touched, t, o.keep === true, o.warn);
  }
}

/** Every part closed on its own; schemas that cannot be dropped are named, with the command
 *  that removes them later. */
async function dropScenario(entries: Planned[], live: Live[], touched: Planned[], t: Targets, keep: boolean, warn: (l: string) => void): Promise<void> {
  for (const e of live) await e.check.end().catch(() => {});
  const left: string[] = [];
  if (!keep) {
    for (const e of touched) {
      try {
        await dropSchema(await t.admin.get(), e.ctx.schema);
      } catch {
        left.push(e.ctx.schema);
      }
    }
  }
  const redis = t.redis?.client;
  if (redis) {
    await stopAll(
      entries.map((e) => [`remove ${e.strategy.id}'s Redis keys`, e.strategy.cleanup && (() => e.strategy.cleanup!(redis, e.ctx))]),
      warn,
    );
  }
  // an embedded server takes its schemas with it; a user's server keeps them
  if (left.length && t.pg.kind !== 'embedded') {
    warn(`could not drop ${left.join(', ')} (the server did not answer): run \`counterbench clean\` against the same DATABASE_URL to remove them`);
  }
}
