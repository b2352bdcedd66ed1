// A strategy deployed in its own throwaway schema, for tests that drive it by hand.
import pg from 'pg';
import type { Redis } from 'ioredis';
import { connectPg } from '../../harness/db/connect.ts';
import { dropSchema } from '../../harness/db/schemas.ts';
import { schemaFor } from '../../harness/db/schema-name.ts';
import { deployStrategy, type Deployed } from '../../harness/run/deploy.ts';
import { strategyById } from '../../harness/strategies/index.ts';
import { redisPrefixFor } from '../../harness/strategies/redis-keys.ts';
import { connectRedis } from '../../harness/provision/redis.ts';
import type { Conn, JobContext, Strategy, StrategyContext } from '../../harness/strategies/types.ts';
import { reconnecting } from '../../harness/db/reconnecting.ts';
import type { Scenario } from '../../harness/config/types.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './env.ts';

export const TEST_OPTIONS: Scenario['options'] = {
  mvRefreshIntervalMs: 200,
  mvRefreshConcurrently: false,
  redisSyncIntervalMs: 200,
  drainTimeoutMs: 10_000,
  driftSampleIntervalMs: 0,
  maxRetries: 3,
};

export interface DeployedStrategy {
  strategy: Strategy;
  ctx: StrategyContext;
  deployed: Deployed;
  /** a client connection in the strategy's schema (a pg.Client: tests also check through it) */
  conn: Conn & { pg: pg.Client };
  admin: pg.Client;
  teardown(): Promise<void>;
}

export async function deployForTest(
  id: string,
  data: Scenario['data'] = { users: 20, sessionsPerUser: 2, answersPerUser: 3, answersSkew: 0 },
  options: Scenario['options'] = TEST_OPTIONS,
): Promise<DeployedStrategy> {
  const strategy = strategyById(id)!;
  const tag = uniqueTag();
  const url = testDatabaseUrl();
  const ctx: StrategyContext = { schema: schemaFor(id, tag), redisPrefix: redisPrefixFor(tag, id), users: data.users, options };
  const admin = await connectPg(url, { applicationName: 'counterbench:test' });
  let redis: Redis | undefined;
  if (strategy.needsRedis) {
    redis = connectRedis(testRedisUrl());
    await redis.connect();
  }
  const deployed = await deployStrategy(url, admin, strategy, ctx, data, redis);
  const pgc = await connectPg(url, { schema: ctx.schema, applicationName: `counterbench:${id}` });
  return {
    strategy,
    ctx,
    deployed,
    conn: { pg: pgc, redis, ctx },
    admin,
    async teardown() {
      await pgc.end();
      if (redis) {
        await strategy.cleanup?.(redis, ctx);
        redis.disconnect();
      }
      await dropSchema(admin, ctx.schema);
      await admin.end();
    },
  };
}

/** What a strategy's jobs get in a run, for a strategy deployed by hand (events are dropped). */
export function jobContextFor(d: DeployedStrategy): JobContext {
  return {
    ...d.ctx,
    connectPg: () => reconnecting(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:job' }),
    connectRedis: async () => {
      const r = connectRedis(testRedisUrl());
      await r.connect();
      return r;
    },
    mark: () => {},
  };
}

/** Runs the strategy's jobs until their work is done (what a run's drain does), then stops them. */
export async function drainJobs(d: DeployedStrategy): Promise<void> {
  const jobs = d.strategy.jobs ? await d.strategy.jobs(jobContextFor(d)) : [];
  try {
    for (const j of jobs) await j.drain();
  } finally {
    for (const j of jobs) await j.stop();
  }
}
