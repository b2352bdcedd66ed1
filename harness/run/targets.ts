// What a run measures on: the Postgres (embedded or DATABASE_URL), the admin connection that
// survives the loss of its backend and holds the namespace's lock, and the Redis where a strategy
// needs one. stop() stops each part on its own, so that one failing stop cannot leave an
// embedded Postgres running.
import type { Redis } from 'ioredis';
import type { Environment } from '../results/types.ts';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { openRedis, type RedisTarget } from '../provision/redis.ts';
import { watchRedis, type RedisWatch } from '../provision/redis-watch.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { lockNamespace } from '../db/run-lock.ts';
import { collectEnvironment } from './environment.ts';
import { isRedisDown } from '../load/error-kind.ts';

export interface Targets {
  pg: PgTarget;
  /** server statistics, schema creation and drops; outside any schema */
  admin: Reconnecting;
  redis?: { target: RedisTarget; client: Redis; watch: RedisWatch };
  /** why there is no Redis, when a strategy needs one and there is none */
  redisReason: string;
  environment: Environment;
  stop(): Promise<void>;
}

export interface TargetOptions {
  databaseUrl?: string;
  env: NodeJS.ProcessEnv;
  namespace?: string;
  needsRedis: boolean;
  log: (line: string) => void;
  /** what could not be stopped or removed: always shown, even with --json */
  warn: (line: string) => void;
}

/** Runs each step of a cleanup ("stop the Redis server"), whatever the others do, and says
 *  which failed. */
export async function stopAll(parts: Array<[string, (() => Promise<void>) | undefined]>, warn: (l: string) => void): Promise<void> {
  for (const [what, stop] of parts) {
    if (!stop) continue;
    try {
      await stop();
    } catch (e) {
      warn(`could not ${what}: ${isRedisDown(e) ? 'Redis is gone' : (e as Error).message}`);
    }
  }
}

export async function openTargets(o: TargetOptions): Promise<Targets> {
  o.log(o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
  const pg = await openPostgres({ databaseUrl: o.databaseUrl });
  let admin: Reconnecting | undefined;
  let redis: Targets['redis'];
  const stop = () =>
    stopAll(
      [
        [
          'close the Redis client',
          async () => {
            redis?.watch.stop();
            redis?.client.disconnect();
          },
        ],
        ['close the admin connection', admin && (() => admin!.end())],
        ['stop the Redis server', redis?.target.stop],
        ['stop the Postgres server', pg.stop],
      ],
      o.warn,
    );
  try {
    admin = await reconnecting(pg.url, {
      applicationName: 'counterbench:admin',
      onConnect: (c) => lockNamespace(c, o.namespace),
      onReconnect: (why) => o.log(`admin connection replaced after: ${why}`),
    });
    const a = await admin.get();
    if (pg.kind === 'embedded') await a.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    let redisReason = '';
    if (o.needsRedis) {
      const r = await openRedis(o.env);
      if ('reason' in r) redisReason = r.reason;
      else redis = { target: r.target, client: r.client, watch: watchRedis(r.client, r.target.url) };
    }
    const environment = await collectEnvironment(a, pg.kind, redis?.target.version ?? null);
    return { pg, admin, redis, redisReason, environment, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
