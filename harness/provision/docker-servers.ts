// The Postgres and the Redis of a docker: target: each in its own container on the host's
// network, on a free loopback port, with a throwaway password. The same code path starts the
// official images and the local ones of scripts/build-postgres-image.sh: both take
// POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGPORT, and a "postgres -c ..." command.
import crypto from 'node:crypto';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { startContainer } from './container.ts';
import { SERVER_SETTINGS } from './embedded.ts';
import { connectRedis, type RedisTarget } from './redis.ts';
import type { PgTarget } from './postgres.ts';
import type { ContainerInfo } from '../results/types.ts';
import { readyTimeoutMs } from './container-settings.ts';

export type DockerPgTarget = PgTarget & { container: ContainerInfo };
export type DockerRedisTarget = RedisTarget & { container: ContainerInfo };

export async function startDockerPostgres(image: string, env: NodeJS.ProcessEnv): Promise<DockerPgTarget> {
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/counterbench`;
  const probe = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    } finally {
      await c.end().catch(() => {});
    }
  };
  const settings = SERVER_SETTINGS.filter((s) => !s.startsWith('unix_socket_directories'));
  const running = await startContainer({
    image,
    role: 'postgres',
    env: { POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: password, POSTGRES_DB: 'counterbench', PGPORT: String(port) },
    command: ['postgres', '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    probe,
    readyTimeoutMs: readyTimeoutMs(env),
    settings: env,
  });
  return { url, kind: 'docker', version: running.version, stop: running.stop, restart: running.restart, container: running.info };
}

export async function startDockerRedis(image: string, env: NodeJS.ProcessEnv): Promise<DockerRedisTarget> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const probe = async () => {
    const r = connectRedis(url);
    r.on('error', () => {});
    try {
      await r.connect();
      return /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? 'unknown';
    } finally {
      r.disconnect();
    }
  };
  const running = await startContainer({
    image,
    role: 'redis',
    env: {},
    command: ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    probe,
    readyTimeoutMs: readyTimeoutMs(env),
    settings: env,
  });
  return { url, kind: 'docker', version: running.version, stop: running.stop, restart: running.restart, container: running.info };
}
