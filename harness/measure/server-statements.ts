// Top statements of a phase from pg_stat_statements, by difference of two snapshots: the harness
// never calls pg_stat_statements_reset(), since the server and its statistics may be a user's.
// The extension is only read, never created here: creating it is a database-level change, which
// the embedded provisioning may make on its own throwaway server but the harness must not make on
// a server DATABASE_URL names.
import pg from 'pg';

/** Every query the measuring code sends starts with this comment, which pg_stat_statements keeps
 *  in the stored text, so the harness's own sampling can be left out of a strategy's statements. */
export const MEASURE_TAG = '/* counterbench:measure */';

export interface StatementCounters {
  calls: number;
  totalExecMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  sharedBlksDirtied: number;
  walBytes: number;
  walFpi: number;
}

export interface StatementRow extends StatementCounters {
  /** userid/dbid/queryid/toplevel: the view's own key */
  key: string;
  queryid: string;
  query: string;
}

export type StatementsSnapshot =
  | { available: true; relation: string; rows: StatementRow[] }
  | { available: false; reason: string };

export interface StatementDiff extends StatementCounters {
  queryid: string;
  query: string;
  meanExecMs: number;
}

export type StatementsCost =
  | {
      available: true;
      /** statements whose counters moved during the phase (harness's own sampling excluded) */
      changed: number;
      /** top 10 by total execution time during the phase */
      top: StatementDiff[];
      /** REFRESH MATERIALIZED VIEW statements of the phase, when there were any */
      matviewRefresh?: MatviewRefreshCost;
      /** entries evicted and re-created during the phase (pg_stat_statements.max reached) */
      evictionSuspected: boolean;
    }
  | { available: false; reason: string };

export interface MatviewRefreshCost {
  refreshes: number;
  totalMs: number;
  meanMs: number;
  walBytesPerRefresh: number;
  walFpiPerRefresh: number;
  sharedBlksPerRefresh: number;
}

const QUERY_TEXT_CHARS = 500;

/** Why pg_stat_statements cannot be read here, or the relation to read it from. */
export async function locateStatements(c: pg.ClientBase): Promise<{ relation: string } | { reason: string }> {
  const ext = await c.query<{ schema: string }>(
    `${MEASURE_TAG} SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_stat_statements'`,
  );
  if (ext.rows.length === 0) {
    const s = await c.query<{ libs: string; db: string; v: string }>(
      `${MEASURE_TAG} SELECT current_setting('shared_preload_libraries') AS libs, current_database() AS db, current_setting('server_version') AS v`,
    );
    const { libs, db, v } = s.rows[0];
    const loaded = libs.split(',').map((x) => x.trim().replace(/^"|"$/g, '')).includes('pg_stat_statements');
    return {
      reason: loaded
        ? `pg_stat_statements is loaded (shared_preload_libraries) but the extension is not created in database "${db}"; CREATE EXTENSION pg_stat_statements would make it readable`
        : `pg_stat_statements is not loaded on this server (PostgreSQL ${v}; shared_preload_libraries = '${libs}') and the extension is not created in database "${db}"`,
    };
  }
  // ext.schema is regnamespace output, already quoted where it needs to be.
  const relation = `${ext.rows[0].schema}.pg_stat_statements`;
  try {
    await c.query(`${MEASURE_TAG} SELECT 1 FROM ${relation} LIMIT 1`);
  } catch (e) {
    // e.g. "pg_stat_statements must be loaded via shared_preload_libraries"
    return { reason: `pg_stat_statements is created but cannot be read: ${(e as Error).message}` };
  }
  return { relation };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : v == null ? 0 : Number(v));

export async function snapshotStatements(c: pg.ClientBase): Promise<StatementsSnapshot> {
  let where: { relation: string } | { reason: string };
  try {
    where = await locateStatements(c);
  } catch (e) {
    return { available: false, reason: `could not look for pg_stat_statements: ${(e as Error).message}` };
  }
  if ('reason' in where) return { available: false, reason: where.reason };
  try {
    // queryid is a bigint: as text, since a JSON number loses its low digits. Everything else
    // through to_jsonb, so that columns added or renamed across versions (total_time before 13,
    // toplevel from 14, wal_* from 13) do not break the query.
    const r = await c.query<{ key: string; queryid: string; query: string; j: Record<string, unknown> }>(
      `${MEASURE_TAG} SELECT concat_ws('/', s.userid, s.dbid, s.queryid, to_jsonb(s)->>'toplevel') AS key,
              s.queryid::text AS queryid, left(s.query, ${QUERY_TEXT_CHARS}) AS query,
              to_jsonb(s) - 'query' - 'queryid' AS j
         FROM ${where.relation} s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND s.queryid IS NOT NULL`,
    );
    return {
      available: true,
      relation: where.relation,
      rows: r.rows.map((x) => ({
        key: x.key,
        queryid: x.queryid,
        query: x.query ?? '',
        calls: num(x.j.calls),
        totalExecMs: num(x.j.total_exec_time ?? x.j.total_time),
        rows: num(x.j.rows),
        sharedBlksHit: num(x.j.shared_blks_hit),
        sharedBlksRead: num(x.j.shared_blks_read),
        sharedBlksDirtied: num(x.j.shared_blks_dirtied),
        walBytes: num(x.j.wal_bytes),
        walFpi: num(x.j.wal_fpi),
      })),
    };
  } catch (e) {
    return { available: false, reason: `reading pg_stat_statements failed: ${(e as Error).message}` };
  }
}

const COUNTER_KEYS: Array<keyof StatementCounters> = [
  'calls', 'totalExecMs', 'rows', 'sharedBlksHit', 'sharedBlksRead', 'sharedBlksDirtied', 'walBytes', 'walFpi',
];

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function diffStatements(before: StatementsSnapshot, after: StatementsSnapshot, topN = 10): StatementsCost {
  if (!after.available) return { available: false, reason: after.reason };
  if (!before.available) return { available: false, reason: `not readable when the phase began: ${before.reason}` };
  const prior = new Map(before.rows.map((r) => [r.key, r]));
  let evictionSuspected = false;
  const changed: StatementDiff[] = [];
  for (const a of after.rows) {
    if (a.query.startsWith(MEASURE_TAG)) continue;
    let b = prior.get(a.key);
    // Fewer calls than before: the entry was evicted and came back; count it from zero.
    if (b && a.calls < b.calls) {
      evictionSuspected = true;
      b = undefined;
    }
    const d = { queryid: a.queryid, query: a.query } as StatementDiff;
    for (const k of COUNTER_KEYS) d[k] = a[k] - (b ? b[k] : 0);
    if (d.calls <= 0) continue;
    d.meanExecMs = d.totalExecMs / d.calls;
    changed.push(d);
  }
  // Rows present before and gone after were evicted too (or the view was reset); their phase
  // counts are lost.
  const present = new Set(after.rows.map((r) => r.key));
  if (before.rows.some((r) => !present.has(r.key))) evictionSuspected = true;
  changed.sort((x, y) => y.totalExecMs - x.totalExecMs);
  const tidy = (d: StatementDiff): StatementDiff => ({
    ...d,
    totalExecMs: round3(d.totalExecMs),
    meanExecMs: round3(d.meanExecMs),
  });
  const refreshes = changed.filter((d) => /^\s*REFRESH\s+MATERIALIZED\s+VIEW\b/i.test(d.query));
  const out: StatementsCost = {
    available: true,
    changed: changed.length,
    top: changed.slice(0, topN).map(tidy),
    evictionSuspected,
  };
  if (refreshes.length > 0) {
    const sum = (k: keyof StatementCounters) => refreshes.reduce((s, d) => s + d[k], 0);
    const n = sum('calls');
    out.matviewRefresh = {
      refreshes: n,
      totalMs: round3(sum('totalExecMs')),
      meanMs: round3(sum('totalExecMs') / n),
      walBytesPerRefresh: Math.round(sum('walBytes') / n),
      walFpiPerRefresh: round3(sum('walFpi') / n),
      sharedBlksPerRefresh: round3((sum('sharedBlksHit') + sum('sharedBlksRead')) / n),
    };
  }
  return out;
}
