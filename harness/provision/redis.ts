// Redis for the redis-queue strategy: REDIS_URL, else a redis-server from PATH on a free loopback
// port (stopped at exit), else none, and the strategy is skipped with the reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { findOnPath } from './find-on-path.ts';
import { newServerFolder } from './server-folder.ts';
import { removeFolder, track, untrack } from './live-servers.ts';
import { stopChild } from './stop-child.ts';
import { describeUrl } from '../redact.ts';
import { UsageError } from '../errors.ts';

export interface RedisTarget {
  url: string;
  kind: 'url' | 'local-server' | 'docker';
  version: string;
  stop(): Promise<void>;
  /** stops and starts the server on the same port (only a server the harness started) */
  restart?(): Promise<void>;
}

export type RedisProvision = { ok: true; target: RedisTarget } | { ok: false; reason: string };

export function connectRedis(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 });
}

async function serverVersion(url: string): Promise<string> {
  const r = connectRedis(url);
  r.on('error', () => {}); // the failure reaches us through connect(); no unhandled event
  try {
    await r.connect();
    const info = await r.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    r.disconnect();
  }
}

/** Polls until the server on `url` answers, or the child died, or 5 s passed. */
async function awaitServer(url: string, child: ChildProcess, spawnError: () => Error | undefined): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const failed = spawnError();
      if (failed) throw failed;
      return await serverVersion(url);
    } catch (e) {
      if (spawnError() || Date.now() > deadline || child.exitCode !== null) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function startLocalServer(bin: string): Promise<RedisTarget> {
  const port = await freePort();
  const folder = newServerFolder('redis', port);
  const live = track('redis', folder.dir);
  let spawnError: Error | undefined;
  const spawnServer = () => {
    // its own process group, like the embedded Postgres: a terminal's Ctrl-C reaches the harness only
    const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder.dir], {
      stdio: 'ignore',
      detached: true,
    });
    spawnError = undefined;
    c.on('error', (e) => (spawnError = e));
    if (c.pid !== undefined) {
      live.pid = c.pid;
      folder.setServer(c.pid);
    }
    return c;
  };
  let child = spawnServer();
  const stop = async () => {
    await stopChild(child, 'SIGTERM', 3000);
    removeFolder(folder.dir);
    untrack(live);
  };
  const url = `redis://127.0.0.1:${port}`;
  let version: string;
  try {
    version = await awaitServer(url, child, () => spawnError);
  } catch (e) {
    await stop();
    throw new Error(`redis-server from PATH did not start: ${(e as Error).message}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url,
    kind: 'local-server',
    version,
    stop: () => (stopped ??= stop()),
    async restart() {
      await stopChild(child, 'SIGTERM', 3000);
      child = spawnServer();
      await awaitServer(url, child, () => spawnError);
    },
  };
}

/** REDIS_URL that does not answer is bad configuration (exit 2); no Redis at all is not. */
export async function provisionRedis(env: NodeJS.ProcessEnv = process.env): Promise<RedisProvision> {
  const url = env.REDIS_URL;
  if (url) {
    try {
      const version = await serverVersion(url);
      return { ok: true, target: { url, kind: 'url', version, stop: async () => {} } };
    } catch (e) {
      throw new UsageError(`cannot connect to Redis at ${describeUrl(url)} (REDIS_URL): ${(e as Error).message}`);
    }
  }
  const bin = findOnPath('redis-server');
  if (!bin) return { ok: false, reason: 'no Redis: REDIS_URL is not set and no redis-server is on PATH' };
  try {
    return { ok: true, target: await startLocalServer(bin) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** A connected client for the harness's own use, or why there is none (see provisionRedis). */
export async function openRedis(env: NodeJS.ProcessEnv = process.env): Promise<{ target: RedisTarget; client: Redis } | { reason: string }> {
  const r = await provisionRedis(env);
  if (!r.ok) return { reason: r.reason };
  const client = connectRedis(r.target.url);
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await r.target.stop();
    throw e;
  }
  return { target: r.target, client };
}
