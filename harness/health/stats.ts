// `stats`: what keeps the counters and what serves them, read from the catalogs: the triggers on
// the answers table and their functions, the consistency view, table sizes, and whether the
// indexes the analysis asks for exist, judged by their definition rather than by their name.
import { COUNTERS, SELFOLOGY_TABLES, counterPresence, inspectSchema, qualified, requireTruthTables, type Queryable } from './tables.ts';
import { inTransaction } from './transaction.ts';

export type TriggerStatus = 'enabled' | 'disabled' | 'replica only' | 'always';

export interface TriggerInfo {
  name: string;
  /** schema-qualified function with its arguments, e.g. public.update_user_stats_on_answer() */
  function: string;
  /** whether it fires in an ordinary session (origin or always) */
  enabled: boolean;
  status: TriggerStatus;
  timing: 'BEFORE' | 'AFTER' | 'INSTEAD OF';
  events: Array<'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE'>;
  level: 'ROW' | 'STATEMENT';
  definition: string;
}

export interface TriggerFunctionInfo {
  function: string;
  language: string;
  /** counter names whose column the function body mentions */
  counters: string[];
  /** pg_try_advisory_(xact_)lock: the increment may be skipped when the lock is busy */
  tryAdvisoryLock: boolean;
}

export interface TableStats {
  table: string;
  present: boolean;
  /** pg_class.reltuples; null when the table was never analyzed */
  rowsEstimate: number | null;
  /** COUNT(*), taken only when the table is small enough for it to be cheap */
  rowsExact: number | null;
  /** pg_total_relation_size: heap, indexes and TOAST */
  totalBytes: number;
  size: string;
}

export interface IndexRequirement {
  name: string;
  table: string;
  columns: string[];
  /** a partial index's WHERE clause */
  predicate?: string;
}

export interface IndexCheck extends IndexRequirement {
  present: boolean;
  /** indexes whose definition serves the requirement (leading key columns, same predicate) */
  matchedBy: string[];
  note?: string;
}

export interface CounterColumn {
  name: string;
  /** its table and column exist, so check and repair can judge it */
  present: boolean;
  reason?: string;
}

export interface StatsReport {
  schema: string;
  /** the three counter columns: which exist here */
  counters: CounterColumn[];
  triggers: TriggerInfo[];
  functions: TriggerFunctionInfo[];
  consistencyView: { present: boolean; kind: 'view' | 'materialized view' | null };
  tables: TableStats[];
  indexes: IndexCheck[];
  /** advisory locks requested but not granted, server-wide (the analysis's Problem 2) */
  advisoryLocksWaiting: number;
  warnings: string[];
}

export interface StatsOptions {
  /** COUNT(*) a table only up to this heap size (default 64 MiB) */
  exactCountMaxBytes?: number;
}

export const REQUIRED_INDEXES: readonly IndexRequirement[] = [
  { name: 'idx_sessions_id_user_id', table: 'onboarding_sessions', columns: ['id', 'user_id'] },
  { name: 'idx_sessions_active', table: 'onboarding_sessions', columns: ['user_id', 'status'], predicate: "status = 'active'" },
  { name: 'idx_answers_session', table: 'user_answers_new', columns: ['session_id'] },
];

const STATUS: Record<string, TriggerStatus> = { O: 'enabled', D: 'disabled', R: 'replica only', A: 'always' };

/** pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h). */
function decodeTgtype(t: number): Pick<TriggerInfo, 'timing' | 'events' | 'level'> {
  const events: TriggerInfo['events'] = [];
  if (t & 4) events.push('INSERT');
  if (t & 16) events.push('UPDATE');
  if (t & 8) events.push('DELETE');
  if (t & 32) events.push('TRUNCATE');
  return { level: t & 1 ? 'ROW' : 'STATEMENT', timing: t & 64 ? 'INSTEAD OF' : t & 2 ? 'BEFORE' : 'AFTER', events };
}

/** Predicates compared as Postgres deparses them, less casts, parentheses, identifier quotes and spaces. */
export function normalizePredicate(p: string | null | undefined): string | null {
  if (!p) return null;
  return p
    .replace(/::(?:character varying|timestamp with(?:out)? time zone|double precision|[a-z_][a-z0-9_]*)(?:\[\])?/gi, '')
    .replace(/[()\s"]/g, '');
}

interface IndexRow {
  name: string;
  table: string;
  valid: boolean;
  key_columns: Array<string | null>;
  predicate: string | null;
  def: string;
}

export function judgeIndex(req: IndexRequirement, indexes: IndexRow[]): IndexCheck {
  const onTable = indexes.filter((i) => i.table === req.table);
  const wantPred = normalizePredicate(req.predicate);
  const servesColumns = (i: IndexRow) => req.columns.every((c, n) => i.key_columns[n] === c);
  const matches = onTable.filter((i) => i.valid && servesColumns(i) && normalizePredicate(i.predicate) === wantPred);
  const notes: string[] = [];
  const byName = onTable.find((i) => i.name === req.name);
  if (byName && !matches.includes(byName)) {
    notes.push(`an index named ${req.name} exists but does not serve this${byName.valid ? '' : ' (INVALID)'}: ${byName.def}`);
  }
  if (!matches.length) {
    const unpartial = onTable.filter((i) => i.valid && servesColumns(i) && i.predicate === null && wantPred !== null);
    if (unpartial.length) notes.push(`${unpartial.map((i) => i.name).join(', ')} covers the columns without the WHERE clause (larger than needed)`);
  }
  return { ...req, present: matches.length > 0, matchedBy: matches.map((i) => i.name), ...(notes.length ? { note: notes.join('; ') } : {}) };
}

const COUNTER_COLUMNS = COUNTERS.map((k) => ({ name: k.name, re: new RegExp(`\\b${k.column}\\b`, 'i') }));

/** Everything `stats` shows, in one READ ONLY snapshot. The client must not be inside a transaction. */
export async function collectStats(client: Queryable, schema: string, opts: StatsOptions = {}): Promise<StatsReport> {
  const maxBytes = opts.exactCountMaxBytes ?? 64 * 1024 * 1024;
  return inTransaction(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async () => {
    const shape = await inspectSchema(client, schema);
    requireTruthTables(shape);
    const counters: CounterColumn[] = COUNTERS.map((def) => {
      const p = counterPresence(shape, def);
      return p.present ? { name: def.name, present: true } : { name: def.name, present: false, reason: p.reason };
    });

    const tr = await client.query<{
      name: string; tgenabled: string; tgtype: number; def: string; fn: string; lang: string; src: string | null;
    }>(
      `SELECT t.tgname AS name, t.tgenabled::text AS tgenabled, t.tgtype::int AS tgtype, pg_get_triggerdef(t.oid) AS def,
              quote_ident(pn.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS fn,
              l.lanname AS lang, p.prosrc AS src
         FROM pg_trigger t
         JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_proc p ON p.oid = t.tgfoid
         JOIN pg_namespace pn ON pn.oid = p.pronamespace
         JOIN pg_language l ON l.oid = p.prolang
        WHERE n.nspname = $1 AND c.relname = 'user_answers_new' AND NOT t.tgisinternal
        ORDER BY t.tgname`,
      [schema],
    );
    const triggers: TriggerInfo[] = tr.rows.map((r) => {
      const status = STATUS[r.tgenabled] ?? 'enabled';
      return { name: r.name, function: r.fn, enabled: status === 'enabled' || status === 'always', status, ...decodeTgtype(r.tgtype), definition: r.def };
    });
    const functions: TriggerFunctionInfo[] = [];
    for (const r of tr.rows) {
      if (functions.some((f) => f.function === r.fn)) continue;
      const src = r.src ?? '';
      functions.push({
        function: r.fn,
        language: r.lang,
        counters: COUNTER_COLUMNS.filter((k) => k.re.test(src)).map((k) => k.name),
        tryAdvisoryLock: /pg_try_advisory_(xact_)?lock/i.test(src),
      });
    }

    const view = await client.query<{ relkind: string }>(
      `SELECT c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = 'counter_consistency_check' AND c.relkind IN ('v', 'm')`,
      [schema],
    );
    const kind = view.rows[0]?.relkind;

    const ts = await client.query<{ table: string; reltuples: number; heap: string; total: string; size: string }>(
      `SELECT c.relname AS table, c.reltuples::float8 AS reltuples, pg_relation_size(c.oid)::bigint AS heap,
              pg_total_relation_size(c.oid)::bigint AS total, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`,
      [schema, [...SELFOLOGY_TABLES]],
    );
    const tables: TableStats[] = [];
    for (const table of SELFOLOGY_TABLES) {
      const r = ts.rows.find((x) => x.table === table);
      if (!r) {
        tables.push({ table, present: false, rowsEstimate: null, rowsExact: null, totalBytes: 0, size: '-' });
        continue;
      }
      let rowsExact: number | null = null;
      if (Number(r.heap) <= maxBytes) {
        const n = await client.query<{ n: string }>(`SELECT count(*)::bigint AS n FROM ${qualified(schema, table)}`);
        rowsExact = Number(n.rows[0].n);
      }
      tables.push({
        table, present: true, rowsEstimate: r.reltuples < 0 ? null : Math.round(r.reltuples), rowsExact,
        totalBytes: Number(r.total), size: r.size,
      });
    }

    const ix = await client.query<IndexRow>(
      `SELECT i.relname AS name, t.relname AS table, x.indisvalid AS valid,
              ARRAY(SELECT a.attname::text
                      FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
                     WHERE k.ord <= x.indnkeyatts ORDER BY k.ord) AS key_columns,
              pg_get_expr(x.indpred, x.indrelid) AS predicate, pg_get_indexdef(x.indexrelid) AS def
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = ANY($2::text[])`,
      [schema, [...new Set(REQUIRED_INDEXES.map((r) => r.table))]],
    );
    const indexes = REQUIRED_INDEXES.map((req) => judgeIndex(req, ix.rows));

    const adv = await client.query<{ n: string }>(`SELECT count(*)::bigint AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);

    const report: StatsReport = {
      schema, counters, triggers, functions,
      consistencyView: { present: !!kind, kind: kind === 'v' ? 'view' : kind === 'm' ? 'materialized view' : null },
      tables, indexes, advisoryLocksWaiting: Number(adv.rows[0].n), warnings: [],
    };
    report.warnings = warningsFor(report);
    return report;
  });
}

/** The analysis's known problems, as far as the catalogs can show them. */
function warningsFor(s: StatsReport): string[] {
  const w: string[] = [];
  const absent = s.counters.filter((k) => !k.present);
  const none = absent.length === s.counters.length;
  if (none) w.push('none of the counters is in this schema: check and repair have nothing to check (exit 2)');
  else for (const k of absent) w.push(`counter ${k.name} is not in this schema (${k.reason}): check and repair skip it`);
  const fnOf = (t: TriggerInfo) => s.functions.find((f) => f.function === t.function);
  const keeping = s.triggers.filter((t) => t.enabled && (fnOf(t)?.counters.length ?? 0) > 0);
  for (const t of s.triggers.filter((x) => !x.enabled && (fnOf(x)?.counters.length ?? 0) > 0)) {
    w.push(`trigger ${t.name} is ${t.status}: the counters it keeps drift with every answer`);
  }
  // without counter columns there is nothing for a trigger to keep: not a finding about triggers
  if (!keeping.length && !none) w.push('no enabled trigger on user_answers_new keeps a counter: only the application can (the analysis\'s variant 1)');
  for (const k of COUNTERS) {
    const on = keeping.filter((t) => t.events.includes('INSERT') && fnOf(t)?.counters.includes(k.name));
    if (on.length > 1) w.push(`${k.name} is incremented by ${on.length} enabled triggers (${on.map((t) => t.name).join(', ')}): double counting`);
  }
  if (keeping.length && !keeping.some((t) => t.events.includes('DELETE'))) {
    w.push('no counter trigger fires on DELETE: a direct DELETE from user_answers_new leaves the counters too high');
  }
  for (const f of s.functions.filter((x) => x.tryAdvisoryLock)) {
    w.push(`${f.function} uses pg_try_advisory_*lock: when the lock is busy it does not wait, so unless it retries, increments are skipped under concurrency`);
  }
  for (const i of s.indexes.filter((x) => !x.present)) w.push(`index ${i.name} is missing`);
  if (s.advisoryLocksWaiting) w.push(`${s.advisoryLocksWaiting} advisory lock requests are waiting (server-wide)`);
  return w;
}

const indexDef = (i: IndexRequirement) => `${i.table}(${i.columns.join(', ')})${i.predicate ? ` WHERE ${i.predicate}` : ''}`;

export function formatStats(s: StatsReport, where?: string): string {
  const lines = [`STATS: schema "${s.schema}"${where ? ` on ${where}` : ''}`, ''];
  lines.push('Counters:');
  for (const k of s.counters) lines.push(`  ${k.name}: ${k.present ? 'present' : `MISSING (${k.reason})`}`);
  lines.push('');
  if (!s.triggers.length) lines.push('Triggers on user_answers_new: none');
  for (const t of s.triggers) {
    const f = s.functions.find((x) => x.function === t.function);
    lines.push(`Trigger:  ${t.name} (${t.timing} ${t.events.join(' OR ')}, FOR EACH ${t.level})`);
    lines.push(`Function: ${t.function}${f ? ` [${f.language}]` : ''}`);
    lines.push(`Status:   ${t.status === 'enabled' ? 'Enabled' : t.status === 'always' ? 'Enabled (always)' : t.status === 'disabled' ? 'DISABLED' : 'only in replica sessions (not firing)'}`);
    if (f) lines.push(`Keeps:    ${f.counters.length ? f.counters.join(', ') : 'no counter column mentioned'}${f.tryAdvisoryLock ? ' (behind pg_try_advisory lock)' : ''}`);
    lines.push('');
  }
  lines.push(`Consistency view counter_consistency_check: ${s.consistencyView.present ? `present (${s.consistencyView.kind})` : 'missing'}`, '');
  lines.push('Tables:');
  const w = Math.max(...s.tables.map((t) => t.table.length)) + 2;
  for (const t of s.tables) {
    if (!t.present) {
      lines.push(`  ${t.table.padEnd(w)}not present`);
      continue;
    }
    const est = t.rowsEstimate === null ? 'estimate n/a (never analyzed)' : `estimate ~${t.rowsEstimate}`;
    const exact = t.rowsExact === null ? 'exact count skipped (large)' : `exact ${t.rowsExact}`;
    lines.push(`  ${t.table.padEnd(w)}rows: ${exact}, ${est}; size ${t.size}`);
  }
  lines.push('', 'Indexes the analysis asks for:');
  for (const i of s.indexes) {
    const verdict = i.present ? `present${i.matchedBy.length === 1 && i.matchedBy[0] === i.name ? '' : ` as ${i.matchedBy.join(', ')}`}` : 'MISSING';
    lines.push(`  ${i.name}: ${indexDef(i)}: ${verdict}`);
    if (i.note) lines.push(`    note: ${i.note}`);
  }
  lines.push('', `Advisory locks waiting: ${s.advisoryLocksWaiting}`);
  if (s.warnings.length) {
    lines.push('', 'Warnings:');
    for (const x of s.warnings) lines.push(`  - ${x}`);
  }
  return lines.join('\n');
}
