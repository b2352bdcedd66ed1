// Where and as whom a lean connection connects: read by node-postgres's own ConnectionParameters,
// so that a URL, its query parameters and the PG* environment mean exactly what they mean to pg.
import ConnectionParameters from 'pg/lib/connection-parameters.js';

export interface LeanParams {
  /** a TCP host, or the directory of a unix socket (a host starting with '/', as in libpq) */
  host: string;
  port: number;
  user: string;
  password?: string;
  /** the StartupMessage's parameters, as pg sends them */
  startup: Record<string, string>;
  /** the unix socket file when host is a directory */
  socketPath?: string;
}

export interface LeanConfig {
  connectionString: string;
  application_name?: string;
  /** e.g. -c search_path=... */
  options?: string;
}

/** Why the lean connection cannot serve this URL (pg must), or undefined when it can. */
export function leanUnsupported(c: LeanConfig): string | undefined {
  const p = new ConnectionParameters({ ...c });
  if (p.ssl) return 'the connection asks for SSL';
  if (typeof p.password === 'function') return 'the password is a function';
  if (p.replication) return 'a replication connection';
  return undefined;
}

export function leanParams(c: LeanConfig): LeanParams {
  const p = new ConnectionParameters({ ...c });
  const why = leanUnsupported(c);
  if (why) throw new Error(`the lean connection cannot serve this server: ${why}`);
  // the same StartupMessage as pg.Client#getStartupConf
  const startup: Record<string, string> = { user: p.user, database: p.database };
  const appName = p.application_name || p.fallback_application_name;
  if (appName) startup.application_name = appName;
  for (const k of ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const) {
    const v = p[k];
    if (v) startup[k] = String(parseInt(String(v), 10));
  }
  if (p.options) startup.options = p.options;
  const host = p.host;
  return {
    host,
    port: p.port,
    user: p.user,
    password: typeof p.password === 'string' ? p.password : undefined,
    startup,
    socketPath: host.startsWith('/') ? `${host}/.s.PGSQL.${p.port}` : undefined,
  };
}
