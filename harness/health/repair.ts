// `repair --dry-run` and `repair`: set every drifted counter to COUNT(*) of its answer rows.
//
// Why the repair locks the answers table. Under READ COMMITTED a plain
//   UPDATE user_stats SET total_answers_lifetime = (SELECT count(*) ...)
// races with an insert whose trigger has already incremented the counter row but has not
// committed: the UPDATE waits for that row, re-checks it (EvalPlanQual) and then writes a count
// taken from its own, older snapshot, which does not contain the new answer, so the increment is
// lost for good. The repair therefore takes LOCK TABLE user_answers_new IN SHARE MODE first: SHARE
// conflicts with the ROW EXCLUSIVE lock every INSERT/UPDATE/DELETE of answers holds until commit,
// so the LOCK waits for in-flight writers to commit (their trigger increments become visible) and
// holds new ones back until the repair commits. Each later statement takes a fresh snapshot, in
// which the truth cannot move, so "counter := truth" is exact. The price is that answer inserts
// stall for the duration of the repair (one scan of the answers per counter); lock_timeout bounds
// the wait for the lock, so a long-running writer makes the repair give up instead of stalling the
// application behind it. A per-key approach (lock each counter row, recount that key) would avoid
// the stall but costs one recount per drifted key and still needs the truth of that key fixed.
//
// Not covered: a writer that changes counters without writing answers (e.g. a Redis→Postgres
// sync job) can still overwrite a repaired counter afterwards; that is a property of such writers.
import { driftListSql, driftSummarySql, truthSql, type DriftListRow, type DriftSummaryRow } from './drift-sql.ts';
import {
  COUNTERS, counterPresence, countersLeftOut, hasColumns, ident, inspectSchema, qualified, requireSomeCounter, requireTruthTables,
  type CounterDef, type CounterScope, type Queryable, type SchemaShape,
} from './tables.ts';
import { notCheckedLines } from './check.ts';
import { inTransaction } from './transaction.ts';

/** Only user_stats rows are created for users who have answers; a missing profile
 *  (digital_personality) row is reported, never invented, since it carries more than a counter. */
const createsMissingRows = (def: CounterDef): boolean => def.table === 'user_stats';

export type ChangeAction = 'update' | 'insert' | 'skip';

export interface CounterChange {
  key: number;
  /** the counter now; null when its row is missing or the value is NULL */
  from: number | null;
  to: number;
  action: ChangeAction;
}

export interface CounterPlan {
  name: string;
  scope: CounterScope;
  present: boolean;
  reason?: string;
  /** rows whose counter would be set to the truth */
  toUpdate: number;
  /** missing rows that would be created */
  toInsert: number;
  /** keys with answers but no row, which repair leaves alone */
  toSkip: number;
  /** the first changes in key order, up to the plan's limit */
  changes: CounterChange[];
  /** changes not listed */
  more: number;
}

export interface RepairPlan {
  schema: string;
  counters: CounterPlan[];
  /** counters that repair would change (updates plus inserts) */
  total: number;
  /** drifted keys repair would leave alone */
  skipped: number;
  /** counters left out by --counters */
  notRequested: string[];
}

export interface CounterRepair {
  name: string;
  scope: CounterScope;
  present: boolean;
  reason?: string;
  updated: number;
  inserted: number;
  /** keys with answers and no row that were left alone */
  skippedMissingRows: number;
}

export interface RepairResult {
  schema: string;
  counters: CounterRepair[];
  /** updated plus inserted over all counters */
  fixed: number;
  skipped: number;
  /** counters left out by --counters */
  notRequested: string[];
  /** how long answer writers were held back, ms */
  lockHeldMs: number;
}

export interface PlanOptions {
  /** changes to list per counter (default 20) */
  limit?: number;
  /** the counters to consider (default: all three) */
  counters?: readonly CounterDef[];
}

export interface RepairOptions {
  /** give up if the answers table cannot be locked within this time (default 10 000 ms) */
  lockTimeoutMs?: number;
  /** the counters to repair (default: all three) */
  counters?: readonly CounterDef[];
}

async function planCounter(c: Queryable, shape: SchemaShape, def: CounterDef, limit: number): Promise<CounterPlan> {
  const presence = counterPresence(shape, def);
  if (!presence.present) {
    return { name: def.name, scope: def.scope, present: false, reason: presence.reason, toUpdate: 0, toInsert: 0, toSkip: 0, changes: [], more: 0 };
  }
  const sum = (await c.query<DriftSummaryRow>(driftSummarySql(shape, def), [0])).rows[0];
  const inconsistent = Number(sum.inconsistent);
  const missing = Number(sum.missing_rows);
  const creates = createsMissingRows(def);
  const list = limit > 0 ? (await c.query<DriftListRow>(driftListSql(shape, def), [limit])).rows : [];
  const changes = list.map((r): CounterChange => ({
    key: Number(r.key),
    from: r.has_row && r.counter_raw !== null ? Number(r.counter_raw) : null,
    to: Number(r.truth),
    action: r.has_row ? 'update' : creates ? 'insert' : 'skip',
  }));
  return {
    name: def.name,
    scope: def.scope,
    present: true,
    toUpdate: inconsistent - missing,
    toInsert: creates ? missing : 0,
    toSkip: creates ? 0 : missing,
    changes,
    more: inconsistent - changes.length,
  };
}

/**
 * What `repair` would change, computed in a READ ONLY transaction (so it provably changes
 * nothing). The client must not be inside a transaction.
 */
export async function planRepair(client: Queryable, schema: string, opts: PlanOptions = {}): Promise<RepairPlan> {
  const limit = Math.max(0, Math.floor(opts.limit ?? 20));
  const wanted = opts.counters ?? COUNTERS;
  return inTransaction(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async () => {
    const shape = await inspectSchema(client, schema);
    requireTruthTables(shape);
    requireSomeCounter(shape, wanted);
    const counters: CounterPlan[] = [];
    for (const def of wanted) counters.push(await planCounter(client, shape, def, limit));
    return {
      schema,
      counters,
      total: counters.reduce((n, k) => n + k.toUpdate + k.toInsert, 0),
      skipped: counters.reduce((n, k) => n + k.toSkip, 0),
      notRequested: countersLeftOut(wanted),
    };
  });
}

function updateSql(shape: SchemaShape, def: CounterDef): string {
  const table = qualified(shape.schema, def.table);
  const key = ident(def.keyColumn);
  const col = ident(def.column);
  return `WITH truth AS (${truthSql(shape, def)})
UPDATE ${table} c SET ${col} = x.truth
  FROM (SELECT c2.${key}::bigint AS key, coalesce(t.truth, 0) AS truth
          FROM ${table} c2 LEFT JOIN truth t ON t.key = c2.${key}::bigint) x
 WHERE c.${key}::bigint = x.key AND c.${col} IS DISTINCT FROM x.truth`;
}

function insertMissingSql(shape: SchemaShape, def: CounterDef): string {
  const table = qualified(shape.schema, def.table);
  const key = ident(def.keyColumn);
  const col = ident(def.column);
  const withFirst = hasColumns(shape, def.table, ['first_answer_at']) && hasColumns(shape, 'user_answers_new', ['answered_at']);
  const answers = qualified(shape.schema, 'user_answers_new');
  const sessions = qualified(shape.schema, 'onboarding_sessions');
  return `WITH truth AS (
  SELECT s.user_id AS key, count(*)::bigint AS truth${withFirst ? ', min(a.answered_at) AS first_at' : ''}
    FROM ${answers} a JOIN ${sessions} s ON s.id = a.session_id GROUP BY s.user_id)
INSERT INTO ${table} (${key}, ${col}${withFirst ? ', first_answer_at' : ''})
SELECT t.key, t.truth${withFirst ? ', t.first_at' : ''} FROM truth t
 WHERE NOT EXISTS (SELECT 1 FROM ${table} c WHERE c.${key} = t.key)
ON CONFLICT DO NOTHING`;
}

function missingRowsSql(shape: SchemaShape, def: CounterDef): string {
  return `WITH truth AS (${truthSql(shape, def)})
SELECT count(*)::bigint AS n FROM truth t
 WHERE NOT EXISTS (SELECT 1 FROM ${qualified(shape.schema, def.table)} c WHERE c.${ident(def.keyColumn)}::bigint = t.key)`;
}

/**
 * Sets every drifted counter to its truth, in one READ COMMITTED transaction holding
 * user_answers_new in SHARE mode (see the comment at the top of this file), and creates the
 * missing user_stats rows. Writes only the counter tables. The client must not be inside a
 * transaction.
 */
export async function applyRepair(client: Queryable, schema: string, opts: RepairOptions = {}): Promise<RepairResult> {
  const lockTimeoutMs = Math.max(0, Math.floor(opts.lockTimeoutMs ?? 10_000));
  const wanted = opts.counters ?? COUNTERS;
  return inTransaction(client, 'BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE', async () => {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
    const shape = await inspectSchema(client, schema);
    requireTruthTables(shape);
    // before the lock: a schema with nothing to repair must not hold the application's writes back
    requireSomeCounter(shape, wanted, 'changed');
    try {
      await client.query(`LOCK TABLE ${qualified(schema, 'user_answers_new')} IN SHARE MODE`);
    } catch (e) {
      if ((e as { code?: string }).code === '55P03') {
        throw new Error(
          `repair could not lock ${schema}.user_answers_new within ${lockTimeoutMs} ms (a long transaction is writing answers); nothing was changed`,
        );
      }
      throw e;
    }
    const lockedAt = performance.now();
    const counters: CounterRepair[] = [];
    for (const def of wanted) {
      const presence = counterPresence(shape, def);
      if (!presence.present) {
        counters.push({ name: def.name, scope: def.scope, present: false, reason: presence.reason, updated: 0, inserted: 0, skippedMissingRows: 0 });
        continue;
      }
      let inserted = 0;
      let skippedMissingRows = 0;
      // Rows first, so that a row another session created meanwhile is then set by the UPDATE.
      if (def.scope === 'user' && createsMissingRows(def)) {
        inserted = (await client.query(insertMissingSql(shape, def))).rowCount ?? 0;
      } else if (def.scope === 'user') {
        skippedMissingRows = Number((await client.query<{ n: string }>(missingRowsSql(shape, def))).rows[0].n);
      }
      const updated = (await client.query(updateSql(shape, def))).rowCount ?? 0;
      counters.push({ name: def.name, scope: def.scope, present: true, updated, inserted, skippedMissingRows });
    }
    return {
      schema,
      counters,
      fixed: counters.reduce((n, k) => n + k.updated + k.inserted, 0),
      skipped: counters.reduce((n, k) => n + k.skippedMissingRows, 0),
      notRequested: countersLeftOut(wanted),
      lockHeldMs: Math.round(performance.now() - lockedAt),
    };
  });
}

const keyWord = (scope: CounterScope, n: number): string => (scope === 'user' ? 'user' : 'session') + (n === 1 ? '' : 's');

function describeChange(scope: CounterScope, ch: CounterChange, table: string): string {
  const who = `${scope === 'user' ? 'user' : 'session'} ${ch.key}`;
  if (ch.action === 'insert') return `${who}: (no row) -> ${ch.to}, row to be created`;
  if (ch.action === 'skip') return `${who}: (no row), truth ${ch.to}: left alone, repair creates no ${table} rows`;
  return `${who}: ${ch.from ?? 'NULL'} -> ${ch.to}`;
}

export function formatRepairPlan(plan: RepairPlan, where?: string): string {
  const lines = [`REPAIR PLAN (dry run, nothing changed): schema "${plan.schema}"${where ? ` on ${where}` : ''}`, ''];
  for (const k of plan.counters) {
    if (!k.present) {
      lines.push(`${k.name}: not present (${k.reason}), skipped`);
      continue;
    }
    const n = k.toUpdate + k.toInsert;
    if (n + k.toSkip === 0) {
      lines.push(`${k.name}: nothing to change`);
      continue;
    }
    const parts = [`${k.toUpdate} to update`];
    if (k.toInsert) parts.push(`${k.toInsert} ${k.toInsert === 1 ? 'row' : 'rows'} to create`);
    if (k.toSkip) parts.push(`${k.toSkip} ${keyWord(k.scope, k.toSkip)} without a row, left alone`);
    lines.push(`${k.name}: ${n} to change (${parts.join(', ')})`);
    const table = k.name.split('.')[0];
    for (const ch of k.changes) lines.push(`  ${describeChange(k.scope, ch, table)}`);
    if (k.more > 0) lines.push(`  ... and ${k.more} more`);
  }
  lines.push('');
  lines.push(
    plan.total === 0
      ? 'Nothing to repair.'
      : `${plan.total} ${plan.total === 1 ? 'counter' : 'counters'} would change. Apply with \`counterbench repair\`.`,
  );
  if (plan.skipped) lines.push(`${plan.skipped} drifted ${plan.skipped === 1 ? 'key has' : 'keys have'} no counter row that repair would create.`);
  lines.push(...notCheckedLines(plan.counters, plan.notRequested));
  return lines.join('\n');
}

export function formatRepairResult(r: RepairResult, where?: string): string {
  const lines = [`REPAIR: schema "${r.schema}"${where ? ` on ${where}` : ''}`, ''];
  for (const k of r.counters) {
    if (!k.present) {
      lines.push(`${k.name}: not present (${k.reason}), skipped`);
      continue;
    }
    const parts = [`${k.updated} updated`];
    if (k.inserted) parts.push(`${k.inserted} ${k.inserted === 1 ? 'row' : 'rows'} created`);
    let line = `${k.name}: fixed ${k.updated + k.inserted} (${parts.join(', ')})`;
    if (k.skippedMissingRows) line += `; ${k.skippedMissingRows} ${keyWord(k.scope, k.skippedMissingRows)} with answers but no ${k.name.split('.')[0]} row, left alone`;
    lines.push(line);
  }
  lines.push('');
  lines.push(
    `Fixed ${r.fixed} ${r.fixed === 1 ? 'counter' : 'counters'} in one transaction (answer writes held back for ${r.lockHeldMs} ms).`,
  );
  lines.push(...notCheckedLines(r.counters, r.notRequested, 'repaired'));
  return lines.join('\n');
}
