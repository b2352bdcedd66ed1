// One whole run: targets, every strategy deployed side by side, rounds of load, the checks,
// results.json. Cleans up after itself whatever happens, and on an abort (Ctrl-C) keeps what
// was measured so far, marked interrupted.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import { SCHEMA_VERSION, type Results, type RoundResult, type StrategyResult } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { strategyById } from '../strategies/index.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { openRedis, type RedisTarget } from '../provision/redis.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema } from '../db/schemas.ts';
import { schemaFor } from '../db/schema-name.ts';
import { deployEach } from './deploy.ts';
import { collectEnvironment } from './environment.ts';
import { runStrategyPhase } from './strategy-phase.ts';
import { baselineRatios, medianOps } from './aggregate.ts';
import { newRunId } from './run-id.ts';
import { Ledger } from '../measure/ledger.ts';
import { truthByUser } from '../measure/drift.ts';
import { evaluateThresholds } from '../results/thresholds.ts';
import type { LiveStats } from '../load/driver.ts';

export interface RunOptions {
  scenario: Scenario;
  /** where results.json goes; default out/<run-id> */
  outDir?: string;
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** keeps the schemas after the run, for inspection */
  keep?: boolean;
  namespace?: string;
  signal?: AbortSignal;
  /** human-readable progress lines (stderr on a terminal); never called with --json */
  log?: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
}

export interface RunOutcome {
  results: Results;
  resultsPath: string;
  outDir: string;
}

interface Entry {
  strategy: Strategy;
  ctx: StrategyContext;
  result: StrategyResult;
  ledger?: Ledger;
  check?: pg.Client;
  rounds: RoundResult[];
}

export async function run(o: RunOptions): Promise<RunOutcome> {
  const s = o.scenario;
  const log = o.log ?? (() => {});
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  const env = o.env ?? process.env;

  // every strategy's cost is also read as a ratio to the bare INSERT in the same round
  const ids = s.strategies.includes('baseline') ? s.strategies : ['baseline', ...s.strategies];
  const entries: Entry[] = ids.map((id) => {
    const strategy = strategyById(id);
    if (!strategy) throw new Error(`unknown strategy ${id}`); // the scenario validator names it first
    return {
      strategy,
      ctx: {
        schema: schemaFor(id, o.namespace),
        redisPrefix: redisPrefixFor(runId, id),
        users: s.data.users,
        options: s.options,
      },
      result: { id, title: strategy.title, origin: strategy.origin, status: 'ok', counters: strategy.counters.map((c) => c.name), ops: {} },
      rounds: [],
    };
  });

  let pgTarget: PgTarget | undefined;
  let redisTarget: RedisTarget | undefined;
  let redis: Redis | undefined;
  let admin: pg.Client | undefined;
  const deployed: Entry[] = [];
  try {
    log(o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
    pgTarget = await openPostgres({ databaseUrl: o.databaseUrl });
    admin = await connectPg(pgTarget.url, { applicationName: 'counterbench:admin' });
    if (pgTarget.kind === 'embedded') await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

    let redisReason = '';
    if (entries.some((e) => e.strategy.needsRedis)) {
      const r = await openRedis(env);
      if ('reason' in r) redisReason = r.reason;
      else ({ target: redisTarget, client: redis } = r);
    }
    const environment = await collectEnvironment(admin, pgTarget.kind, redisTarget?.version ?? null);

    await deployEach(entries, {
      url: pgTarget.url,
      admin,
      data: s.data,
      redis,
      redisReason,
      signal: o.signal,
      log,
      touched: (e) => deployed.push(e),
      deployed: (e, d) => {
        e.result.seed = { rows: d.seedRows, ms: d.seedMs, rowsPerSec: d.seedMs > 0 ? (d.seedRows / d.seedMs) * 1000 : 0 };
        log(`  seeded ${d.seedRows} rows in ${(d.seedMs / 1000).toFixed(1)} s (${Math.round(e.result.seed.rowsPerSec)} rows/s)${d.reason ? `; not deployable: ${d.reason}` : ''}`);
      },
    });

    const live = entries.filter((e) => e.result.status === 'ok');
    for (const e of live) {
      e.check = await connectPg(pgTarget.url, { schema: e.ctx.schema, applicationName: `counterbench:${e.strategy.id}:check` });
      e.ledger = new Ledger(s.data.users, await truthByUser(e.check));
    }

    for (let round = 1; round <= s.rounds && !o.signal?.aborted; round++) {
      // rotate the order so that drift of the machine over time falls on every strategy alike
      const order = live.map((_, i) => live[(i + round - 1) % live.length]);
      for (const e of order) {
        if (o.signal?.aborted) break;
        if (e.result.status !== 'ok') continue; // failed in an earlier round: its reason stands
        log(`round ${round}/${s.rounds}: ${e.strategy.id}`);
        try {
          const r = await runStrategyPhase({
            strategy: e.strategy,
            ctx: e.ctx,
            pgUrl: pgTarget.url,
            redisUrl: redisTarget?.url,
            scenario: s,
            ledger: e.ledger!,
            seed: s.seed + round,
            check: e.check!,
            admin: admin!,
            redis,
            signal: o.signal,
            onProgress: o.onProgress ? (p) => o.onProgress!(e.strategy.id, round, p) : undefined,
          });
          e.rounds.push({ round, ops: r.phase.ops, server: { walBytesPerWrite: r.server.walBytesPerWrite, deadTuplesPerWrite: r.server.deadTuplesPerWrite } });
          e.result.series = r.phase.series;
          e.result.drift = {
            consistent: r.counters.every((c) => c.usersInconsistent === 0),
            convergeMs: r.convergeMs,
            counters: r.counters,
            timeline: r.timeline,
            sampler: r.sampler ?? undefined,
            reads: r.phase.reads ?? undefined,
            ledger: {
              inDoubt: e.ledger!.inDoubt,
              acknowledgedInserts: e.ledger!.totalInsAcked,
              acknowledgedDeletes: e.ledger!.totalDelAcked,
              writeOverlaps: e.ledger!.writeOverlaps,
            },
          };
          e.result.events = r.events;
          e.result.server = r.server;
          e.result.harnessSaturated = (e.result.harnessSaturated ?? false) || r.phase.harness.saturated;
          e.result.harness = r.phase.harness;
          e.result.reconnects = (e.result.reconnects ?? 0) + r.phase.reconnects;
          e.result.droppedArrivals = (e.result.droppedArrivals ?? 0) + r.phase.droppedArrivals;
        } catch (err) {
          e.result.status = 'failed';
          e.result.reason = `load failed in round ${round}: ${(err as Error).message}`;
        }
      }
    }

    const baseline = entries.find((e) => e.strategy.id === 'baseline')?.result;
    for (const e of entries) {
      if (!e.rounds.length) continue;
      e.result.rounds = e.rounds;
      e.result.ops = medianOps(e.rounds);
    }
    for (const e of entries) if (e.result.rounds && e.strategy.id !== 'baseline') e.result.vsBaseline = baselineRatios(e.result, baseline);

    const strategies = entries.map((e) => e.result);
    const results: Results = {
      schemaVersion: SCHEMA_VERSION,
      run: {
        id: runId,
        startedAt,
        finishedAt: new Date().toISOString(),
        interrupted: o.signal?.aborted || undefined,
        scenario: { ...s, strategies: ids },
        environment,
        thresholds: evaluateThresholds(s.thresholds, strategies),
      },
      strategies,
    };
    fs.mkdirSync(outDir, { recursive: true });
    const resultsPath = path.join(outDir, 'results.json');
    fs.writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
    return { results, resultsPath, outDir };
  } finally {
    for (const e of entries) await e.check?.end().catch(() => {});
    if (admin && !o.keep) for (const e of deployed) await dropSchema(admin, e.ctx.schema).catch(() => {});
    if (redis) for (const e of entries) await e.strategy.cleanup?.(redis, e.ctx).catch(() => {});
    redis?.disconnect();
    await admin?.end().catch(() => {});
    await redisTarget?.stop();
    await pgTarget?.stop();
  }
}
