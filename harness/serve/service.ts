// One running `serve`: the pg.Pool (and Redis client) behind the app, listening on loopback, and
// the orderly stop of all of it. The run engine starts one in-process per strategy for an HTTP
// scenario; `counterbench serve` starts one on its own.
import pg from 'pg';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { searchPathOption } from '../db/schemas.ts';
import { connectRedis } from '../provision/redis.ts';
import { buildServeApp } from './app.ts';

export interface ServeOptions {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  /** connections of the pg.Pool */
  pool: number;
  /** 0: any free port */
  port: number;
  host?: string;
  maxRetries: number;
}

export interface RunningServe {
  /** http://host:port, no trailing slash */
  url: string;
  port: number;
  app: FastifyInstance;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** application_name of the pool's connections: under the strategy's prefix, so that the server
 *  cost and lock samplers count them as the strategy's, like the SQL path's load connections. */
export const serveAppName = (strategyId: string) => `counterbench:${strategyId}:serve`;

export async function startServe(o: ServeOptions): Promise<RunningServe> {
  const pool = new pg.Pool({
    connectionString: o.pgUrl,
    max: o.pool,
    application_name: serveAppName(o.strategy.id),
    options: searchPathOption(o.ctx.schema),
    connectionTimeoutMillis: 5000,
  });
  // an idle client whose backend died (a restart) emits 'error' on the pool: the pool drops it
  // and connects a new one when asked; the event itself must not crash the service
  pool.on('error', () => {});
  let redis: Redis | undefined;
  let app: FastifyInstance | undefined;
  try {
    if (o.strategy.needsRedis) {
      if (!o.redisUrl) throw new Error(`${o.strategy.id} needs Redis and none was given (REDIS_URL)`);
      redis = connectRedis(o.redisUrl);
      redis.on('error', () => {});
      await redis.connect();
    }
    app = buildServeApp({ strategy: o.strategy, ctx: o.ctx, pool, redis, maxRetries: o.maxRetries });
    const host = o.host ?? '127.0.0.1';
    await app.listen({ port: o.port, host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : o.port;
    const shown = host.includes(':') ? `[${host}]` : host;
    const running = app;
    return {
      url: `http://${shown}:${port}`,
      port,
      app: running,
      pool,
      close: async () => {
        await running.close().catch(() => {});
        redis?.disconnect();
        await pool.end().catch(() => {});
      },
    };
  } catch (e) {
    await app?.close().catch(() => {});
    redis?.disconnect();
    await pool.end().catch(() => {});
    throw e;
  }
}
