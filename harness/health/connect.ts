// The health tool works on a real database the user names, never on an embedded one: no URL is a
// usage error. Messages name host/db only, never the password.
import pg from 'pg';
import { UsageError } from '../errors.ts';
import { describeUrl, scrub, secretsOf } from '../redact.ts';

export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = flag ?? env.DATABASE_URL;
  if (!url) {
    throw new UsageError(
      'no database to check: pass --database-url URL or set DATABASE_URL (the health tool works on a real database, never an embedded one)',
    );
  }
  return url;
}

/** One line, no secrets. */
export function safeMessage(e: unknown, url: string): string {
  return scrub((e as Error)?.message || String(e), secretsOf(url)).replace(/\s+/g, ' ').trim();
}

export async function connectHealth(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'counterbench-health' });
  // An idle client that loses its server emits 'error'; without a listener that kills the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new UsageError(`cannot connect to PostgreSQL at ${describeUrl(url)}: ${safeMessage(e, url)}`);
  }
  return client;
}
