// One Postgres and one Redis for the whole suite: DATABASE_URL / REDIS_URL when set (CI sets
// them to the machine's services), else an embedded Postgres and a redis-server from PATH.
import type { TestProject } from 'vitest/node';
import { openPostgres, type PgTarget } from '../../harness/provision/postgres.ts';
import { provisionRedis, type RedisTarget } from '../../harness/provision/redis.ts';

let pgTarget: PgTarget | undefined;
let redisTarget: RedisTarget | undefined;

export async function setup(project: TestProject) {
  pgTarget = await openPostgres({ databaseUrl: process.env.DATABASE_URL });
  const r = await provisionRedis(process.env);
  if (!r.ok) throw new Error(`the test suite needs a Redis: ${r.reason}`);
  redisTarget = r.target;
  project.provide('databaseUrl', pgTarget.url);
  project.provide('redisUrl', redisTarget.url);
}

export async function teardown() {
  await redisTarget?.stop();
  await pgTarget?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
