// The one definition of "drift" that check, repair --dry-run and repair share: for every key (user
// or session) its counter, its truth (COUNT of its answer rows) and whether the counter row exists.
// A user with answers but no counter row has a counter of 0. Every name in the SQL is quoted.
import { hasColumns, ident, qualified, type CounterDef, type SchemaShape } from './tables.ts';

/** SQL for the per-key truth of a counter's scope: columns key (bigint), truth (bigint); only for
 *  the keys `only` selects when it is given (see recentKeysSql). */
export function truthSql(shape: SchemaShape, def: CounterDef, only?: string): string {
  const answers = qualified(shape.schema, 'user_answers_new');
  const sessions = qualified(shape.schema, 'onboarding_sessions');
  if (def.scope === 'session') {
    return `SELECT a.session_id::bigint AS key, count(*)::bigint AS truth FROM ${answers} a${only ? ` WHERE a.session_id IN (${only})` : ''} GROUP BY a.session_id`;
  }
  // Answers whose session is gone belong to no user: the join drops them, as any per-user count would.
  return `SELECT s.user_id::bigint AS key, count(*)::bigint AS truth
            FROM ${answers} a JOIN ${sessions} s ON s.id = a.session_id${only ? `
           WHERE s.user_id IN (${only})` : ''}
           GROUP BY s.user_id`;
}

/** The keys (users, or sessions) of the answers whose id is above $2: the keys an incremental
 *  check looks at. The primary key finds those answers; idx_answers_session their sessions'
 *  other answers. */
export function recentKeysSql(shape: SchemaShape, def: CounterDef): string {
  const answers = qualified(shape.schema, 'user_answers_new');
  const sessions = qualified(shape.schema, 'onboarding_sessions');
  if (def.scope === 'session') return `SELECT DISTINCT r.session_id::bigint FROM ${answers} r WHERE r.id > $2`;
  return `SELECT DISTINCT rs.user_id::bigint FROM ${sessions} rs WHERE rs.id IN (SELECT r.session_id FROM ${answers} r WHERE r.id > $2)`;
}

/**
 * A WITH clause ending in relation d(key, counter_raw, counter, truth, has_row, inconsistent).
 * Keys: every session for the per-session counter; for per-user counters every user known to the
 * users table, the counter table or the answers, so that a user whose row is missing is seen.
 */
export function driftCte(shape: SchemaShape, def: CounterDef, only?: string): string {
  const table = qualified(shape.schema, def.table);
  const keySources = [`SELECT key FROM counter`];
  if (def.scope === 'user') {
    keySources.push(`SELECT key FROM truth`);
    if (hasColumns(shape, 'users', ['id']) && !only) keySources.push(`SELECT id::bigint FROM ${qualified(shape.schema, 'users')}`);
  }
  const onlyKeys = only ? ` WHERE c.${ident(def.keyColumn)} IN (${only})` : '';
  return `WITH truth AS (${truthSql(shape, def, only)}),
  counter AS (SELECT c.${ident(def.keyColumn)}::bigint AS key, c.${ident(def.column)}::bigint AS counter_raw FROM ${table} c${onlyKeys}),
  keys AS (${keySources.join(' UNION ')}),
  d AS (
    SELECT k.key, c.counter_raw, coalesce(c.counter_raw, 0) AS counter, coalesce(t.truth, 0) AS truth,
           (c.key IS NOT NULL) AS has_row,
           ((c.key IS NOT NULL AND c.counter_raw IS NULL) OR coalesce(c.counter_raw, 0) <> coalesce(t.truth, 0)) AS inconsistent
      FROM keys k LEFT JOIN counter c ON c.key = k.key LEFT JOIN truth t ON t.key = k.key
     WHERE k.key IS NOT NULL)`;
}

/** One row: the totals over d, plus up to $1 inconsistent keys (worst first) as JSON; with
 *  `recent`, over the keys of the answers whose id is above $2 only. */
export function driftSummarySql(shape: SchemaShape, def: CounterDef, recent = false): string {
  return `${driftCte(shape, def, recent ? recentKeysSql(shape, def) : undefined)}
SELECT count(*)::bigint AS checked,
       count(*) FILTER (WHERE inconsistent)::bigint AS inconsistent,
       coalesce(max(abs(counter - truth)), 0)::bigint AS max_drift,
       coalesce(sum(greatest(truth - counter, 0)), 0)::bigint AS lost,
       coalesce(sum(greatest(counter - truth, 0)), 0)::bigint AS extra,
       count(*) FILTER (WHERE NOT has_row AND truth > 0)::bigint AS missing_rows,
       count(*) FILTER (WHERE has_row AND counter_raw IS NULL)::bigint AS null_counters,
       coalesce(sum(counter), 0)::bigint AS sum_counter,
       coalesce(sum(truth), 0)::bigint AS sum_truth,
       (SELECT coalesce(json_agg(x), '[]'::json) FROM (
          SELECT key, counter_raw, truth, has_row FROM d WHERE inconsistent
           ORDER BY abs(counter - truth) DESC, key LIMIT $1) x) AS examples
  FROM d`;
}

/** Inconsistent keys in key order, up to $1: what a repair would change. */
export function driftListSql(shape: SchemaShape, def: CounterDef): string {
  return `${driftCte(shape, def)}
SELECT key, counter_raw, truth, has_row FROM d WHERE inconsistent ORDER BY key LIMIT $1`;
}

export interface DriftSummaryRow {
  checked: string;
  inconsistent: string;
  max_drift: string;
  lost: string;
  extra: string;
  missing_rows: string;
  null_counters: string;
  sum_counter: string;
  sum_truth: string;
  examples: Array<{ key: number; counter_raw: number | null; truth: number; has_row: boolean }>;
}

export interface DriftListRow {
  key: string;
  counter_raw: string | null;
  truth: string;
  has_row: boolean;
}
