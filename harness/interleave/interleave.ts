// Every spec that applies to each strategy, each strategy in a schema of its own with one user of
// its own: `counterbench interleave` calls interleave(), a suite that already has its servers
// calls runInterleavings().
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { InterleavingResult, Results } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema } from '../db/schemas.ts';
import { ownSchema, schemaFor } from '../db/schema-name.ts';
import { lockNamespace } from '../db/run-lock.ts';
import { deployStrategy } from '../run/deploy.ts';
import { collectEnvironment } from '../run/environment.ts';
import { newRunId } from '../run/run-id.ts';
import { scenarioFromObject } from '../config/scenario.ts';
import { SCHEMA_VERSION } from '../results/types.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { connectRedis, openRedis, type RedisTarget } from '../provision/redis.ts';
import { isStrategyId } from '../config/strategy-ids.ts';
import { loadSpecs, MAX_SESSIONS, specApplies, type InterleaveSpec } from './spec.ts';
import { runSpec, type Lane } from './runner.ts';

export const DEFAULT_NAMESPACE = 'interleave';
/** Strategies run side by side, each on its own user (an advisory lock keyed by user id cannot
 *  reach across): most of a permutation's time is spent waiting for round trips and jobs. */
export const DEFAULT_CONCURRENCY = 4;
const HOUR_MS = 3_600_000;

export interface InterleaveTarget {
  pgUrl: string;
  redisUrl?: string;
  /** why there is no Redis, for the strategies that need one */
  redisReason?: string;
}

export interface InterleaveOptions {
  strategies: readonly Strategy[];
  /** default: the built-in specs */
  specs?: readonly InterleaveSpec[];
  /** schemas are counterbench_<namespace>_<id>_il<lane>, Redis keys
   *  counterbench:<namespace>:<id>-il<lane>: (default interleave); a run calling this passes its
   *  own namespace, whose lock it holds */
  namespace?: string;
  concurrency?: number;
  /** how long a step may neither finish nor wait on another session */
  stepTimeoutMs?: number;
  /** leave the schemas in place */
  keep?: boolean;
  /** schema copies for a strategy with background jobs (default JOB_LANES) */
  jobLanes?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

function entry(s: Strategy, status: InterleavingResult['status'], reason: string): InterleavingResult {
  return {
    strategy: s.id,
    spec: null,
    title: s.title,
    about: '',
    status,
    reason,
    isolation: '',
    sessions: {},
    setup: [],
    permutations: { total: 0, run: 0, invalid: 0, failing: 0, readsOff: 0 },
    outcomes: {},
    failing: [],
    readsOff: [],
    durationMs: 0,
  };
}

/** Copies of the schema for a strategy whose permutations end by draining its jobs: a queue
 *  worker's drain waits out its empty polls, time spent idle that lanes overlap. */
export const JOB_LANES = 4;

/** counterbench_<ns>_<id>_il<lane>: a name `clean` cannot take for a run's strategy schema, so
 *  it leaves it alone while any run is live on the server, and removes it once none is. */
export function laneSchema(strategyId: string, namespace: string, lane: number): string {
  return ownSchema(`${schemaFor(strategyId, namespace)}_il${lane}`);
}

// Advisory locks are shared by the whole database: Migration 007's is keyed by user id, so a
// user of another run's load (ids 1..users) would take it under a permutation. The runner's users
// lie far above any run's, from a random start, so that two runner processes miss each other
// too. A strategy whose counters live in Redis reads them by walking ids 1..users: it gets user 1
// (its keys are under a prefix of its own, and Postgres holds no lock for it).
const FAR_USERS = 1_000_000_000;
let nextUser = FAR_USERS + Math.floor(Math.random() * 1_000_000) * 1000;

function userFor(s: Strategy): number {
  return s.counters.some((c) => c.source === 'redis') ? 1 : ++nextUser;
}

async function runStrategy(target: InterleaveTarget, admin: pg.Client, redis: Redis | undefined, s: Strategy, specs: InterleaveSpec[], o: InterleaveOptions): Promise<InterleavingResult[]> {
  const ns = o.namespace ?? DEFAULT_NAMESPACE;
  const log = o.log ?? (() => {});
  if (s.needsRedis && !redis) return [entry(s, 'skipped', target.redisReason ?? 'no Redis')];
  // the jobs run only when drained: their own timers never fire within a permutation
  const options = { ...scenarioFromObject({}).options, mvRefreshIntervalMs: HOUR_MS, redisSyncIntervalMs: HOUR_MS, drainTimeoutMs: 10_000 };
  const count = s.jobs ? (o.jobLanes ?? JOB_LANES) : 1;
  const contexts: StrategyContext[] = Array.from({ length: count }, (_, k) => ({
    schema: laneSchema(s.id, ns, k + 1),
    redisPrefix: redisPrefixFor(ns, `${s.id}-il${k + 1}`),
    users: 0,
    options,
  }));
  const deployed: StrategyContext[] = [];
  const lanes: Lane[] = [];
  try {
    for (const ctx of contexts) {
      // the schema is deployed empty: each permutation seeds the lane's one user
      const userId = userFor(s);
      ctx.users = userId;
      deployed.push(ctx);
      const d = await deployStrategy(target.pgUrl, admin, s, ctx, { users: 0, sessionsPerUser: 1, answersPerUser: 0, answersSkew: 0 }, redis, o.signal);
      if (d.status !== 'ok') {
        if (d.status === 'not-deployable') deployed.pop();
        return [entry(s, d.status === 'not-deployable' ? 'not-deployable' : 'failed', d.reason ?? '')];
      }
      const observer = await connectPg(target.pgUrl, { schema: ctx.schema, applicationName: `counterbench:interleave:${s.id}:observer` });
      // a reset that waits on a lock nothing will release fails instead of hanging the run
      await observer.query(`SET lock_timeout = '10s'`);
      lanes.push({ strategy: s, ctx, userId, pgUrl: target.pgUrl, redisUrl: target.redisUrl, observer, redis, sessions: [], stepTimeoutMs: o.stepTimeoutMs ?? 10_000 });
    }
    const out: InterleavingResult[] = [];
    for (const spec of specs) {
      if (o.signal?.aborted) break;
      const r = await runSpec(lanes, spec, o.signal);
      log(`${s.id} ${spec.id}: ${r.permutations.run} permutations, ${r.permutations.failing} failing${r.status === 'ok' ? '' : ` (${r.status}: ${r.reason})`}`);
      out.push(r);
    }
    return out;
  } catch (e) {
    return [entry(s, o.signal?.aborted ? 'interrupted' : 'failed', (e as Error).message.split('\n')[0])];
  } finally {
    for (const lane of lanes) {
      for (const x of lane.sessions) await x.close();
      await lane.observer.end().catch(() => {});
    }
    for (const ctx of deployed) {
      if (!o.keep) await dropSchema(admin, ctx.schema).catch(() => {});
      if (redis) await s.cleanup?.(redis, ctx).catch(() => {});
    }
  }
}

/** Runs every applicable spec on each strategy, on servers the caller provides. */
export async function runInterleavings(target: InterleaveTarget, o: InterleaveOptions): Promise<InterleavingResult[]> {
  const specs = [...(o.specs ?? loadSpecs())];
  let redis: Redis | undefined;
  try {
    if (target.redisUrl && o.strategies.some((s) => s.needsRedis)) {
      redis = connectRedis(target.redisUrl);
      redis.on('error', () => {});
      await redis.connect();
    }
    const results: InterleavingResult[][] = o.strategies.map(() => []);
    const queue = o.strategies.map((s, i) => ({ s, i }));
    // each worker deploys through an admin connection of its own: a pg client runs one query at a time
    const worker = async () => {
      let admin: pg.Client | undefined;
      try {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const { s, i } = next;
          if (o.signal?.aborted) {
            results[i] = [entry(s, 'interrupted', 'interrupted (Ctrl-C) before its turn')];
            continue;
          }
          const mine = specs.filter((spec) => specApplies(spec, s));
          if (!mine.length) {
            results[i] = [entry(s, 'skipped', s.counters.length ? 'no spec applies to it' : 'it keeps no counter: there is nothing an interleaving could lose')];
            continue;
          }
          admin ??= await connectPg(target.pgUrl, { applicationName: 'counterbench:interleave' });
          results[i] = await runStrategy(target, admin, redis, s, mine, o);
        }
      } finally {
        await admin?.end().catch(() => {});
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
    return results.flat();
  } finally {
    redis?.disconnect();
  }
}

export interface StandaloneOptions extends InterleaveOptions {
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** `counterbench interleave`: its own servers (DATABASE_URL or an embedded Postgres; REDIS_URL
 *  or a redis-server from PATH), its namespace locked, a results.json of its own. */
export async function interleave(o: StandaloneOptions): Promise<Results> {
  const log = o.log ?? (() => {});
  const startedAt = new Date();
  const ns = o.namespace ?? DEFAULT_NAMESPACE;
  let pgTarget: PgTarget | undefined;
  let redisTarget: RedisTarget | undefined;
  let redisClient: Redis | undefined;
  let admin: pg.Client | undefined;
  try {
    log(o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
    pgTarget = await openPostgres({ databaseUrl: o.databaseUrl });
    admin = await connectPg(pgTarget.url, { applicationName: 'counterbench:interleave:lock' });
    await lockNamespace(admin, ns);
    let redisReason: string | undefined;
    if (o.strategies.some((s) => s.needsRedis)) {
      const r = await openRedis(o.env ?? process.env);
      if ('reason' in r) redisReason = r.reason;
      else ({ target: redisTarget, client: redisClient } = r);
    }
    const environment = await collectEnvironment(admin, pgTarget.kind, redisTarget?.version ?? null);
    const interleavings = await runInterleavings({ pgUrl: pgTarget.url, redisUrl: redisTarget?.url, redisReason }, { ...o, namespace: ns, log });
    // The results contract wants the scenario as run. No load ran: one user, no seeded answer,
    // a connection per session (at most three), for as long as the permutations took.
    const known = o.strategies.map((s) => s.id).filter(isStrategyId);
    const scenario = scenarioFromObject({
      name: 'interleave',
      description: "no load: every order of each spec's steps, one user, one connection per session",
      ...(known.length ? { strategies: known } : {}),
      data: { users: 1, sessionsPerUser: 1, answersPerUser: 0 },
      load: { model: 'closed', clients: MAX_SESSIONS },
      phases: { warmup: 0, duration: Math.max(1, Math.ceil((Date.now() - startedAt.getTime()) / 1000)) },
    });
    return {
      schemaVersion: SCHEMA_VERSION,
      run: {
        id: newRunId(startedAt),
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        ...(o.signal?.aborted ? { interrupted: true } : {}),
        scenario,
        environment,
      },
      strategies: [],
      interleavings,
    };
  } finally {
    redisClient?.disconnect();
    await admin?.end().catch(() => {});
    await redisTarget?.stop();
    await pgTarget?.stop();
  }
}
