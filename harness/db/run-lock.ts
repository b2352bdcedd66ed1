// One run at a time per namespace on a server: two runs that share counterbench_<id> schemas
// would drop each other's live tables. A session-level advisory lock (no object is created, so
// nothing of the user's is touched) is held by the run's admin connection; a second run finds it
// taken and is refused with who holds it, or picks its own --namespace.
import type pg from 'pg';
import { UsageError } from '../errors.ts';

// two-key form: the first key says "counterbench", the second hashes the namespace
const CLASS_ID = 0x636e7462; // 'cntb'

const keyOf = (namespace: string | undefined) => `counterbench:${namespace ?? ''}`;

/** Takes the namespace's lock on this connection, or throws a UsageError naming the holder. */
export async function lockNamespace(c: pg.ClientBase, namespace: string | undefined): Promise<void> {
  const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [CLASS_ID, keyOf(namespace)]);
  if (r.rows[0].ok) return;
  const who = await c.query<{ application_name: string; pid: number; backend_start: Date; client_addr: string | null }>(
    `SELECT a.application_name, a.pid, a.backend_start, a.client_addr::text AS client_addr
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid::bigint = ($1::bigint & 4294967295) AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)
        AND l.granted`,
    [CLASS_ID, keyOf(namespace)],
  );
  const h = who.rows[0];
  const holder = h ? ` (backend ${h.pid}, ${h.application_name || 'no application name'}${h.client_addr ? ` from ${h.client_addr}` : ''}, since ${h.backend_start.toISOString()})` : '';
  const ns = namespace ? `--namespace ${namespace}` : 'the default namespace';
  throw new UsageError(
    `another counterbench run is using ${ns} on this server${holder}: its schemas would be dropped under it. ` +
      `Wait for it to finish, or run beside it with --namespace NAME (schemas counterbench_NAME_<strategy>)`,
  );
}

/** Backends of other runs holding a namespace lock right now: `clean` must not drop a live run's
 *  schemas, and it cannot tell from a schema's name which namespace it belongs to. */
export async function activeRuns(c: pg.ClientBase): Promise<Array<{ pid: number; applicationName: string; since: Date }>> {
  const r = await c.query<{ pid: number; application_name: string; backend_start: Date }>(
    `SELECT a.pid, a.application_name, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
        AND l.classid::bigint = ($1::bigint & 4294967295) AND l.objsubid = 2`,
    [CLASS_ID],
  );
  return r.rows.map((x) => ({ pid: x.pid, applicationName: x.application_name, since: x.backend_start }));
}

/** Whether another backend holds the namespace's lock: a run of that namespace is live. */
export async function namespaceInUse(c: pg.ClientBase, namespace: string | undefined): Promise<boolean> {
  const r = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() AND objsubid = 2
        AND classid::bigint = ($1::bigint & 4294967295) AND objid::bigint = (hashtext($2)::bigint & 4294967295)`,
    [CLASS_ID, keyOf(namespace)],
  );
  return r.rows[0].n > 0;
}
