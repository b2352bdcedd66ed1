// What a run measures on: the Postgres (embedded or DATABASE_URL), the admin connection that
// survives the loss of its backend and holds the namespace's lock, and the Redis where a strategy
// needs one. stop() stops each part on its own, so that one failing stop cannot leave an
// embedded Postgres running.
import type { Redis } from 'ioredis';
import type { Environment } from '../results/types.ts';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { connectRedis, openRedis, type RedisTarget } from '../provision/redis.ts';
import type { ContainerInfo } from '../results/types.ts';
import { watchRedis, type RedisWatch } from '../provision/redis-watch.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { lockNamespace } from '../db/run-lock.ts';
import { collectEnvironment } from './environment.ts';
import { isRedisDown } from '../load/error-kind.ts';
import type { TargetSpec } from './target-spec.ts';

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
  /** servers in containers (`--target docker:IMAGE`): they win over databaseUrl and REDIS_URL */
  target?: TargetSpec;
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
  const pgImage = o.target?.postgresImage;
  o.log(pgImage ? `starting ${pgImage} in a container` : o.databaseUrl ? 'connecting to DATABASE_URL' : 'starting an embedded PostgreSQL');
  // loaded only for a docker: target (testcontainers brings dockerode and ssh2 with it)
  const docker = pgImage || o.target?.redisImage ? await import('../provision/docker-servers.ts') : undefined;
  const pg = pgImage ? await docker!.startDockerPostgres(pgImage, o.env) : await openPostgres({ databaseUrl: o.databaseUrl });
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
    if (pg.kind !== 'url') await a.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    let redisReason = '';
    if (o.needsRedis && o.target?.redisImage) {
      o.log(`starting ${o.target.redisImage} in a container`);
      const target = await docker!.startDockerRedis(o.target.redisImage, o.env);
      const client = connectRedis(target.url);
      client.on('error', () => {});
      redis = { target, client, watch: watchRedis(client, target.url) };
      await client.connect();
    } else if (o.needsRedis) {
      const r = await openRedis(o.env);
      if ('reason' in r) redisReason = r.reason;
      else redis = { target: r.target, client: r.client, watch: watchRedis(r.client, r.target.url) };
    }
    const environment = await collectEnvironment(a, pg.kind, redis?.target.version ?? null);
    const containers = { postgres: containerOf(pg), redis: containerOf(redis?.target) };
    if (containers.postgres || containers.redis) environment.containers = containers;
    return { pg, admin, redis, redisReason, environment, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

const containerOf = (t: object | undefined): ContainerInfo | undefined => (t && 'container' in t ? (t.container as ContainerInfo) : undefined);
