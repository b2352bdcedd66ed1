// What the health tool expects of a Selfology schema, and what a given schema actually has.
// It runs against applications' own databases, so nothing here assumes the harness's schema.sql:
// the answers and sessions tables are required (they are the truth), the counter tables are not.
import pg from 'pg';
import { UsageError } from '../errors.ts';

export type CounterScope = 'user' | 'session';

export interface CounterDef {
  /** table.column, as results.json names counters */
  name: string;
  table: string;
  column: string;
  /** the column that identifies a user (or a session) in the counter table */
  keyColumn: string;
  scope: CounterScope;
}

export const COUNTERS: readonly CounterDef[] = [
  { name: 'user_stats.total_answers_lifetime', table: 'user_stats', column: 'total_answers_lifetime', keyColumn: 'user_id', scope: 'user' },
  { name: 'digital_personality.total_answers_analyzed', table: 'digital_personality', column: 'total_answers_analyzed', keyColumn: 'user_id', scope: 'user' },
  { name: 'onboarding_sessions.questions_answered', table: 'onboarding_sessions', column: 'questions_answered', keyColumn: 'id', scope: 'session' },
];

/** Without these there is no truth to check against. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  user_answers_new: ['session_id'],
  onboarding_sessions: ['id', 'user_id'],
};

export const SELFOLOGY_TABLES = ['users', 'onboarding_sessions', 'user_answers_new', 'user_stats', 'digital_personality'] as const;

/** One connection (a pg.Client or a checked-out PoolClient), never a Pool: the health functions
 *  run their statements in a transaction of their own, which a Pool would spread over connections. */
export type Queryable = pg.ClientBase;

export interface SchemaShape {
  schema: string;
  /** table name → its column names (ordinary and partitioned tables only) */
  tables: Map<string, Set<string>>;
}

/** Identifier quoting for every schema/table/column name that reaches SQL text. */
export const ident = (name: string): string => pg.escapeIdentifier(name);

/** schema.table, both quoted. */
export const qualified = (schema: string, table: string): string => `${ident(schema)}.${ident(table)}`;

export function hasColumns(shape: SchemaShape, table: string, columns: readonly string[]): boolean {
  const cols = shape.tables.get(table);
  return !!cols && columns.every((c) => cols.has(c));
}

/** Whether a counter can be checked in this schema, and if not, why. */
export function counterPresence(shape: SchemaShape, def: CounterDef): { present: true } | { present: false; reason: string } {
  const cols = shape.tables.get(def.table);
  if (!cols) return { present: false, reason: `table ${def.table} not present` };
  const missing = [def.keyColumn, def.column].filter((c) => !cols.has(c));
  if (missing.length) return { present: false, reason: `${def.table} has no column ${missing.join(', ')}` };
  return { present: true };
}

/**
 * The counters named in a --counters list: full names (user_stats.total_answers_lifetime) or their
 * table alone (user_stats); every counter when the list is absent.
 */
export function parseCounterList(v: string | undefined): readonly CounterDef[] {
  if (v === undefined) return COUNTERS;
  const names = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (!names.length) throw new UsageError(`--counters: expected a comma-separated list of counters, got ${JSON.stringify(v)}`);
  const picked = new Set<CounterDef>();
  for (const n of names) {
    const def = COUNTERS.find((k) => k.name === n || k.table === n);
    if (!def) throw new UsageError(`--counters: unknown counter "${n}" (expected one of: ${COUNTERS.map((k) => k.name).join(', ')})`);
    picked.add(def);
  }
  // in COUNTERS order, so that reports read the same whatever order the flag gave
  return COUNTERS.filter((k) => picked.has(k));
}

/** The counters a --counters list leaves out, by name. */
export const countersLeftOut = (wanted: readonly CounterDef[]): string[] => COUNTERS.filter((k) => !wanted.includes(k)).map((k) => k.name);

/**
 * Checking nothing is not a pass: fails with exit 2, naming each counter and why it is missing,
 * unless at least one of `defs` can be checked in this schema.
 */
export function requireSomeCounter(shape: SchemaShape, defs: readonly CounterDef[], done: 'checked' | 'changed' = 'checked'): void {
  const missing: string[] = [];
  for (const def of defs) {
    const p = counterPresence(shape, def);
    if (p.present) return;
    missing.push(`${def.name} (${p.reason})`);
  }
  throw new UsageError(`schema "${shape.schema}" has none of the counters to check: ${missing.join(', ')}; nothing was ${done}`);
}

/** Reads the Selfology tables' columns in a schema; a missing schema is a usage error. */
export async function inspectSchema(c: Queryable, schema: string): Promise<SchemaShape> {
  const ns = await c.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists', [schema]);
  if (!ns.rows[0].exists) throw new UsageError(`schema "${schema}" does not exist in this database`);
  const r = await c.query<{ table_name: string; column_name: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`,
    [schema, [...SELFOLOGY_TABLES]],
  );
  const tables = new Map<string, Set<string>>();
  for (const row of r.rows) {
    let cols = tables.get(row.table_name);
    if (!cols) tables.set(row.table_name, (cols = new Set()));
    cols.add(row.column_name);
  }
  return { schema, tables };
}

/** Fails with exit 2, naming every missing table or column, unless the truth tables are there. */
export function requireTruthTables(shape: SchemaShape): void {
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const cols = shape.tables.get(table);
    if (!cols) problems.push(`table ${table}`);
    else for (const col of columns) if (!cols.has(col)) problems.push(`column ${table}.${col}`);
  }
  if (problems.length) {
    throw new UsageError(
      `schema "${shape.schema}" lacks the Selfology tables the check needs: missing ${problems.join(', ')}`,
    );
  }
}
