// The one place a load connection is opened and closed, in whichever thread runs the load (the
// main thread, or a worker thread of load/worker-pool.ts): what one client of the load holds.
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { Conn, Strategy, StrategyContext } from '../strategies/types.ts';
import { connectLoad } from '../db/lean/connect.ts';
import { connectRedis } from '../provision/redis.ts';

export interface ConnTarget {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  scenario: Scenario;
}

/** `crashPoint`: what a multi-statement write calls after its first statement (fault injection). */
export async function openConn(o: ConnTarget, crashPoint: () => void): Promise<Conn> {
  const appName = `counterbench:${o.strategy.id}`;
  const pgc = await connectLoad(o.pgUrl, { schema: o.ctx.schema, applicationName: appName }, o.scenario.options.driver);
  let redis: Redis | undefined;
  if (o.strategy.needsRedis && o.redisUrl) {
    redis = connectRedis(o.redisUrl);
    redis.on('error', () => {});
    await redis.connect();
  }
  // which backend is whose: fault injection terminates exactly one of ours
  const pid = Number((await pgc.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  return { pg: pgc, redis, ctx: o.ctx, pid, crashPoint };
}

export async function closeConn(c: Conn): Promise<void> {
  c.redis?.disconnect();
  await c.pg.end().catch(() => {});
}
