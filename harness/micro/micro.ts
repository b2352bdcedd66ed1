// The uncontended cost of one write and one read of each strategy: one connection, one operation
// at a time, timed by tinybench (mean, p99, relative margin of error). The analysis's
// "latency per operation" column, measured instead of claimed.
import { setMaxListeners } from 'node:events';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { Bench } from 'tinybench';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { connectRedis, openRedis, type RedisTarget } from '../provision/redis.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema } from '../db/schemas.ts';
import { schemaFor } from '../db/schema-name.ts';
import { deployEach } from '../run/deploy.ts';
import { scenarioFromObject } from '../config/scenario.ts';
import type { Scenario } from '../config/types.ts';
import type { Answer, Conn, Strategy, StrategyContext } from '../strategies/types.ts';
import type { StrategyStatus } from '../results/types.ts';
import { strategyById } from '../strategies/index.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { BENCH_ANSWER } from '../calibrate/pgbench.ts';
import { claimedLatency } from './claims.ts';

export type MicroOp = 'write' | 'read';
export const MICRO_OPS: readonly MicroOp[] = ['write', 'read'];

/** Small: micro measures one operation on a quiet table, not a table at scale. */
export const MICRO_DATA: Scenario['data'] = { users: 1000, sessionsPerUser: 1, answersPerUser: 20, answersSkew: 0 };

export interface MicroOptions {
  strategies: string[];
  /** tinybench's time budget per task, ms */
  timeMs: number;
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** schemas are counterbench_<namespace>_<id> */
  namespace?: string;
  data?: Scenario['data'];
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface MicroMeasure {
  op: MicroOp;
  meanMs: number;
  p99Ms: number;
  /** relative margin of error of the mean, % (95% confidence) */
  rmePct: number;
  samples: number;
  /** the analysis's figure, where it gives one */
  claimed?: string;
  /** the task failed: its error */
  error?: string;
}

export interface MicroStrategy {
  id: string;
  title: string;
  status: StrategyStatus;
  reason?: string;
  ops: MicroMeasure[];
}

export interface MicroResult {
  target: PgTarget['kind'];
  postgres: string;
  redis: string | null;
  timeMs: number;
  data: Scenario['data'];
  strategies: MicroStrategy[];
  interrupted?: boolean;
}

interface Entry {
  strategy: Strategy;
  ctx: StrategyContext;
  result: MicroStrategy;
  conn?: Conn;
  deployed: boolean;
}

/** Writes and reads walk through the users in turn, so no row is hot in a cache of its own. */
function taskFns(s: Strategy, conn: Conn, users: number, sessionsPerUser: number) {
  const answer: Answer = { userId: 0, sessionId: 0, questionJsonId: BENCH_ANSWER.questionJsonId, rawAnswer: BENCH_ANSWER.rawAnswer };
  let w = 0;
  let r = 0;
  return {
    write: async () => {
      const u = (w++ % users) + 1;
      answer.userId = u;
      answer.sessionId = u * sessionsPerUser; // the active session, the user's last (sql/seed.sql)
      await s.write(conn, answer);
    },
    read: async () => {
      await s.read(conn, (r++ % users) + 1);
    },
  };
}

export async function micro(o: MicroOptions): Promise<MicroResult> {
  const log = o.log ?? (() => {});
  const data = o.data ?? MICRO_DATA;
  const ns = o.namespace ?? 'micro';
  const options = scenarioFromObject({}).options;
  const entries: Entry[] = o.strategies.map((id) => {
    const strategy = strategyById(id);
    if (!strategy) throw new Error(`unknown strategy ${id}`);
    return {
      strategy,
      ctx: { schema: schemaFor(id, ns), redisPrefix: redisPrefixFor(ns, id), users: data.users, options },
      result: { id, title: strategy.title, status: 'not-run', ops: [] },
      deployed: false,
    };
  });

  let pgTarget: PgTarget | undefined;
  let redisTarget: RedisTarget | undefined;
  let redis: Redis | undefined;
  let admin: pg.Client | undefined;
  try {
    log(o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
    pgTarget = await openPostgres({ databaseUrl: o.databaseUrl });
    admin = await connectPg(pgTarget.url, { applicationName: 'counterbench:micro' });
    let redisReason = '';
    if (entries.some((e) => e.strategy.needsRedis)) {
      const r = await openRedis(o.env ?? process.env);
      if ('reason' in r) redisReason = r.reason;
      else ({ target: redisTarget, client: redis } = r);
    }

    await deployEach(entries, {
      url: pgTarget.url,
      admin: async () => admin!,
      data,
      redis,
      redisReason,
      signal: o.signal,
      log,
      touched: (e) => (e.deployed = true),
      deployed: async (e) => {
        if (e.result.status !== 'ok') return;
        const pgc = await connectPg(pgTarget!.url, { schema: e.ctx.schema, applicationName: `counterbench:micro:${e.strategy.id}` });
        e.conn = { pg: pgc, ctx: e.ctx };
        // its own Redis connection, as a client of the app would have
        if (e.strategy.needsRedis && redisTarget) {
          const rc = connectRedis(redisTarget.url);
          rc.on('error', () => {});
          await rc.connect();
          e.conn.redis = rc;
        }
      },
    });

    const live = entries.filter((e) => e.conn);
    // tinybench listens on the signal once per task and phase: not a leak
    if (o.signal) setMaxListeners(10 + live.length * MICRO_OPS.length * 4, o.signal);
    const bench = new Bench({
      name: 'counterbench micro',
      time: o.timeMs,
      warmupTime: Math.max(10, Math.min(250, o.timeMs / 4)),
      signal: o.signal,
      throws: false,
    });
    const taskName = (id: string, op: MicroOp) => `${id} ${op}`;
    for (const e of live) {
      const fns = taskFns(e.strategy, e.conn!, data.users, data.sessionsPerUser);
      for (const op of MICRO_OPS) bench.add(taskName(e.strategy.id, op), fns[op]);
    }
    if (live.length && !o.signal?.aborted) {
      log(`measuring ${live.length * MICRO_OPS.length} tasks, ${o.timeMs} ms each`);
      await bench.run();
    }
    for (const e of live) {
      for (const op of MICRO_OPS) {
        const task = bench.getTask(taskName(e.strategy.id, op));
        const m: MicroMeasure = { op, meanMs: 0, p99Ms: 0, rmePct: 0, samples: 0, claimed: claimedLatency(e.strategy.id, op) };
        const res = task?.result;
        if (res && 'latency' in res) {
          m.meanMs = res.latency.mean;
          m.p99Ms = res.latency.p99;
          m.rmePct = res.latency.rme;
          m.samples = res.latency.samplesCount;
        } else if (res?.state === 'errored') m.error = res.error.message;
        else m.error = res ? `not measured (${res.state})` : 'not measured';
        e.result.ops.push(m);
      }
    }
    return {
      target: pgTarget.kind,
      postgres: pgTarget.version,
      redis: redisTarget?.version ?? null,
      timeMs: o.timeMs,
      data,
      strategies: entries.map((e) => e.result),
      interrupted: o.signal?.aborted || undefined,
    };
  } finally {
    for (const e of entries) {
      e.conn?.redis?.disconnect();
      await e.conn?.pg.end().catch(() => {});
    }
    if (admin) for (const e of entries) if (e.deployed) await dropSchema(admin, e.ctx.schema).catch(() => {});
    if (redis) for (const e of entries) await e.strategy.cleanup?.(redis, e.ctx).catch(() => {});
    redis?.disconnect();
    await admin?.end().catch(() => {});
    await redisTarget?.stop();
    await pgTarget?.stop();
  }
}
