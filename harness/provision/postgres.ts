// The Postgres a run measures: the server DATABASE_URL names, else an embedded one.
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import { describeUrl, scrub, secretsOf } from '../redact.ts';
import { UsageError } from '../errors.ts';

export interface PgTarget {
  url: string;
  kind: 'embedded' | 'url' | 'docker';
  /** server_version, e.g. 15.20 */
  version: string;
  stop(): Promise<void>;
  /** stops and starts the server on the same port and data (only a server the harness owns) */
  restart?(): Promise<void>;
}

/** Connects once to prove the server answers; a failure is bad configuration, exit 2. */
export async function probePostgres(url: string, origin: string): Promise<string> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    const r = await c.query<{ server_version: string }>('SHOW server_version');
    return r.rows[0].server_version;
  } catch (e) {
    const why = scrub((e as Error).message || String(e), secretsOf(url));
    throw new UsageError(`cannot connect to PostgreSQL at ${describeUrl(url)} (${origin}): ${why}`);
  } finally {
    await c.end().catch(() => {});
  }
}

export async function openPostgres(opts: { databaseUrl?: string } = {}): Promise<PgTarget> {
  if (opts.databaseUrl) {
    const version = await probePostgres(opts.databaseUrl, 'DATABASE_URL');
    return { url: opts.databaseUrl, kind: 'url', version, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres();
  try {
    const version = await probePostgres(server.url, 'embedded');
    return { url: server.url, kind: 'embedded', version, stop: () => server.stop(), restart: () => server.restart() };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
