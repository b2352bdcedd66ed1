// Is the harness the bottleneck? The baseline's INSERT driven by the harness's own driver, then
// the same statement with the same kind of parameters through pgbench, with the same clients and
// duration against the same server and schema. A harness that keeps up with pgbench measures
// the server, not itself.
import { spawnSync } from 'node:child_process';
import type pg from 'pg';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema } from '../db/schemas.ts';
import { schemaFor } from '../db/schema-name.ts';
import { deployStrategy } from '../run/deploy.ts';
import { scenarioFromObject } from '../config/scenario.ts';
import type { Scenario } from '../config/types.ts';
import type { StrategyContext } from '../strategies/types.ts';
import { baseline } from '../strategies/baseline.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { runPhase } from '../load/driver.ts';
import { Ledger } from '../measure/ledger.ts';
import { truthByUser } from '../measure/drift.ts';
import { findOnPath, runPgbench } from './pgbench.ts';
import { driverPathFor, type DriverPath } from '../db/lean/connect.ts';

/** Enough users that concurrent inserts rarely meet on one session's index page, little seed. */
export const CALIBRATE_DATA: Scenario['data'] = { users: 10_000, sessionsPerUser: 1, answersPerUser: 10, answersSkew: 0 };
export const PGBENCH_THREADS = 2;

export interface CalibrateOptions {
  clients: number;
  /** measured seconds of each side (whole seconds: pgbench -T) */
  seconds: number;
  /** DATABASE_URL; an embedded server when absent */
  databaseUrl?: string;
  /** the schema is counterbench_<namespace>_baseline */
  namespace?: string;
  /** the pgbench binary; default: found on PATH. null: run without it */
  pgbench?: string | null;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface CalibrationSide {
  /** operations per second of the measured part */
  throughput: number;
  latencyMeanMs: number;
  operations: number;
  errors: number;
  /** the client's own CPU time per operation, µs: what it takes from the server on a shared machine */
  cpuUsPerOp?: number;
}

export interface Calibration {
  target: PgTarget['kind'];
  postgres: string;
  schema: string;
  clients: number;
  seconds: number;
  warmupSeconds: number;
  /** driver: the path the driver's connections took (lean, or pg where lean cannot go) */
  harness: CalibrationSide & { driver: DriverPath; saturated: boolean; loopDelayP99Ms: number; cpuPct: number };
  pgbench: (CalibrationSide & { version: string; threads: number }) | null;
  /** why pgbench was not run */
  pgbenchSkipped?: string;
  /** harness / pgbench: throughput (≥ 0.95 wanted) and mean latency */
  ratio?: { throughput: number; latency: number };
  interrupted?: boolean;
}

/** A short warm-up for both sides: connections made, statements prepared, caches warm. */
export function warmupSecondsFor(seconds: number): number {
  return seconds >= 10 ? 2 : 1;
}

function pgbenchVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return (r.stdout ?? '').trim() || 'unknown';
}

/** Best effort: a checkpoint falling into one side's run and not the other's would decide it. */
async function checkpoint(admin: pg.Client): Promise<void> {
  await admin.query('CHECKPOINT').catch(() => {});
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  const log = o.log ?? (() => {});
  const warmupSeconds = warmupSecondsFor(o.seconds);
  const aborted = () => o.signal?.aborted === true;
  const bin = o.pgbench === undefined ? findOnPath('pgbench') : o.pgbench;
  const ns = o.namespace ?? 'calibrate';
  const ctx: StrategyContext = {
    schema: schemaFor(baseline.id, ns),
    redisPrefix: redisPrefixFor(ns, baseline.id),
    users: CALIBRATE_DATA.users,
    options: scenarioFromObject({}).options,
  };
  const scenario = scenarioFromObject(
    {
      name: 'calibrate',
      description: 'the baseline INSERT through the harness driver, beside pgbench',
      strategies: [baseline.id],
      data: CALIBRATE_DATA,
      load: { model: 'closed', clients: o.clients },
      phases: { warmup: warmupSeconds, duration: o.seconds },
      mix: { write: 100, read: 0, delete: 0 },
      keys: { distribution: 'uniform' },
      // the driver's connections as run makes them: lean unless the URL needs pg
      options: { driftSampleInterval: 0 },
    },
    {},
    '(calibrate)',
  );

  let target: PgTarget | undefined;
  let admin: pg.Client | undefined;
  let deployed = false;
  try {
    log(o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
    target = await openPostgres({ databaseUrl: o.databaseUrl });
    admin = await connectPg(target.url, { applicationName: 'counterbench:calibrate' });
    log(`deploying baseline in ${ctx.schema}`);
    deployed = true;
    const d = await deployStrategy(target.url, admin, baseline, ctx, CALIBRATE_DATA, undefined);
    if (d.status !== 'ok') throw new Error(`baseline did not deploy: ${d.reason}`);

    const check = await connectPg(target.url, { schema: ctx.schema, applicationName: 'counterbench:calibrate:check' });
    let ledger: Ledger;
    try {
      ledger = new Ledger(CALIBRATE_DATA.users, await truthByUser(check));
    } finally {
      await check.end().catch(() => {});
    }

    await checkpoint(admin);
    log(`harness: ${o.clients} clients, ${warmupSeconds}s warm-up + ${o.seconds}s`);
    const phase = await runPhase({ strategy: baseline, ctx, pgUrl: target.url, scenario, ledger, seed: scenario.seed, signal: o.signal });
    const w = phase.ops.write;
    const result: Calibration = {
      target: target.kind,
      postgres: target.version,
      schema: ctx.schema,
      clients: o.clients,
      seconds: o.seconds,
      warmupSeconds,
      harness: {
        driver: driverPathFor(target.url, scenario.options.driver),
        throughput: w?.throughput ?? 0,
        latencyMeanMs: w?.latencyMs.mean ?? 0,
        operations: w?.count ?? 0,
        errors: w?.errors ?? 0,
        // cpuPct spans warm-up and measured part alike, at much the same rate
        cpuUsPerOp: w && w.throughput > 0 ? (phase.harness.cpuPct / 100) * (1e6 / w.throughput) : undefined,
        saturated: phase.harness.saturated,
        loopDelayP99Ms: phase.harness.loopDelayP99Ms,
        cpuPct: phase.harness.cpuPct,
      },
      pgbench: null,
    };

    if (aborted()) {
      result.interrupted = true;
      result.pgbenchSkipped = 'interrupted';
      return result;
    }
    if (!bin) {
      result.pgbenchSkipped = 'pgbench is not on PATH';
      return result;
    }
    const run = { url: target.url, schema: ctx.schema, users: CALIBRATE_DATA.users, sessionsPerUser: CALIBRATE_DATA.sessionsPerUser, clients: o.clients, threads: PGBENCH_THREADS, signal: o.signal };
    log(`pgbench: ${o.clients} clients, ${warmupSeconds}s warm-up + ${o.seconds}s`);
    try {
      await runPgbench(bin, { ...run, seconds: warmupSeconds });
      await checkpoint(admin);
      const p = await runPgbench(bin, { ...run, seconds: o.seconds });
      result.pgbench = {
        throughput: p.tps,
        latencyMeanMs: p.latencyMeanMs,
        operations: p.transactions,
        errors: p.failed,
        cpuUsPerOp: p.cpuUsPerOp,
        version: pgbenchVersion(bin),
        threads: Math.min(PGBENCH_THREADS, o.clients),
      };
      result.ratio = {
        throughput: p.tps > 0 ? result.harness.throughput / p.tps : 0,
        latency: p.latencyMeanMs > 0 ? result.harness.latencyMeanMs / p.latencyMeanMs : 0,
      };
    } catch (e) {
      if (!aborted()) throw e;
      result.interrupted = true;
      result.pgbenchSkipped = 'interrupted';
    }
    return result;
  } finally {
    if (admin && deployed) await dropSchema(admin, ctx.schema).catch(() => {});
    await admin?.end().catch(() => {});
    await target?.stop();
  }
}
