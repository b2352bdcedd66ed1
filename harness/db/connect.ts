// Postgres connections of the harness, each labelled with application_name so that samplers can
// tell the harness's backends (and which strategy's) from everything else on the server.
import pg from 'pg';
import { searchPathOption } from './schemas.ts';

export interface ConnectOptions {
  schema?: string;
  applicationName: string;
}

export async function connectPg(url: string, o: ConnectOptions): Promise<pg.Client> {
  const c = new pg.Client({
    connectionString: url,
    application_name: o.applicationName,
    options: o.schema ? searchPathOption(o.schema) : undefined,
    connectionTimeoutMillis: 10_000,
  });
  // A backend that dies between queries (pg_terminate_backend, restart) emits 'error' on an idle
  // client; the next query fails and the driver reconnects, so the event itself is not fatal.
  c.on('error', () => {});
  await c.connect();
  return c;
}
