// One whole run: targets, every strategy deployed side by side, rounds of load, the checks,
// results.json. Cleans up after itself whatever happens, and on an abort (Ctrl-C) keeps what
// was measured so far, marked interrupted.
import path from 'node:path';
import type { Scenario } from '../config/types.ts';
import type { Results } from '../results/types.ts';
import { strategyById } from '../strategies/index.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { dropSchema } from '../db/schemas.ts';
import { schemaFor } from '../db/schema-name.ts';
import { deployEach } from './deploy.ts';
import { newRunId } from './run-id.ts';
import { openTargets, stopAll, type Targets } from './targets.ts';
import { goLive, runRounds, type Planned, type Live } from './rounds.ts';
import { assembleResults } from './assemble.ts';
import { writeResultsFile } from './write-results.ts';
import type { LiveStats } from '../load/driver.ts';

export interface RunOptions {
  scenario: Scenario;
  /** where results.json goes; default out/<run-id> */
  outDir?: string;
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** keeps the schemas after the run, for inspection */
  keep?: boolean;
  /** schemas counterbench_<namespace>_<id>: a second run on the same server needs its own */
  namespace?: string;
  signal?: AbortSignal;
  /** human-readable progress lines (stderr on a terminal); never called with --json */
  log?: (line: string) => void;
  /** what the user must know even in --json mode: leftovers, fallbacks */
  warn?: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
}

export interface RunOutcome {
  results: Results;
  resultsPath: string;
  outDir: string;
}

/** Every strategy of the scenario, baseline first when the scenario left it out: every cost is
 *  also read as a ratio to the bare INSERT in the same round. Nothing has run yet. */
function plan(s: Scenario, runId: string, namespace: string | undefined): Planned[] {
  const ids = s.strategies.includes('baseline') ? s.strategies : ['baseline', ...s.strategies];
  return ids.map((id) => {
    const strategy = strategyById(id);
    if (!strategy) throw new Error(`unknown strategy ${id}`); // the scenario validator names it first
    return {
      strategy,
      ctx: { schema: schemaFor(id, namespace), redisPrefix: redisPrefixFor(runId, id), users: s.data.users, options: s.options },
      result: { id, title: strategy.title, origin: strategy.origin, status: 'not-run', counters: strategy.counters.map((c) => c.name), ops: {} },
    };
  });
}

export async function run(o: RunOptions): Promise<RunOutcome> {
  const s = o.scenario;
  const log = o.log ?? (() => {});
  const warn = o.warn ?? log;
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  const entries = plan(s, runId, o.namespace);

  let targets: Targets | undefined;
  const touched: Planned[] = [];
  const live: Live[] = [];
  try {
    targets = await openTargets({
      databaseUrl: o.databaseUrl,
      env: o.env ?? process.env,
      namespace: o.namespace,
      needsRedis: entries.some((e) => e.strategy.needsRedis),
      log,
      warn,
    });
    const t = targets;
    await deployEach(entries, {
      url: t.pg.url,
      admin: () => t.admin.get(),
      data: s.data,
      redis: t.redis?.client,
      redisReason: t.redisReason,
      signal: o.signal,
      log,
      touched: (e) => touched.push(e),
      deployed: (e, d) => {
        e.result.seed = { rows: d.seedRows, ms: d.seedMs, rowsPerSec: d.seedMs > 0 ? (d.seedRows / d.seedMs) * 1000 : 0 };
        log(`  seeded ${d.seedRows} rows in ${(d.seedMs / 1000).toFixed(1)} s (${Math.round(e.result.seed.rowsPerSec)} rows/s)${d.reason ? `; not deployable: ${d.reason}` : ''}`);
      },
    });
    for (const e of entries) {
      if (e.result.status !== 'ok') continue;
      if (o.signal?.aborted) {
        e.result.status = 'not-run';
        e.result.reason = 'interrupted (Ctrl-C) before its turn';
        continue;
      }
      live.push(await goLive(e, t.pg.url, s));
    }
    await runRounds(live, { scenario: s, targets: t, signal: o.signal, log, onProgress: o.onProgress });

    const results = assembleResults({ runId, startedAt, scenario: s, entries, live, environment: t.environment, interrupted: o.signal?.aborted === true });
    const written = writeResultsFile(results, outDir);
    if (written.fallback) warn(written.fallback);
    return { results, resultsPath: written.path, outDir: path.dirname(written.path) };
  } finally {
    await cleanup(entries, live, touched, targets, o.keep === true, warn);
  }
}

/** Every part closed on its own; schemas that cannot be dropped are named, with the command
 *  that removes them later. */
async function cleanup(entries: Planned[], live: Live[], touched: Planned[], t: Targets | undefined, keep: boolean, warn: (l: string) => void): Promise<void> {
  for (const e of live) await e.check.end().catch(() => {});
  if (!t) return;
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
  await t.stop();
}
