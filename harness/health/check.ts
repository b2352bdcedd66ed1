// `check`: every counter against COUNT(*) of its answer rows, in one read-only snapshot, so that
// the three counters are judged at the same instant even while inserts go on.
import type { CounterDrift } from '../results/types.ts';
import { driftSummarySql, type DriftSummaryRow } from './drift-sql.ts';
import {
  COUNTERS, counterPresence, countersLeftOut, inspectSchema, requireSomeCounter, requireTruthTables,
  type CounterDef, type CounterScope, type Queryable, type SchemaShape,
} from './tables.ts';
import { inTransaction } from './transaction.ts';

export interface CounterExample {
  key: number;
  /** the counter's value; 0 when the row is missing */
  counter: number;
  truth: number;
  /** the user has answers but no row in the counter table */
  missingRow?: true;
  /** the row exists but the counter is NULL */
  nullCounter?: true;
}

/** One counter's verdict. The results contract's field names (CounterDrift); "users" means keys, i.e. sessions for a per-session counter. */
export interface CounterCheck extends CounterDrift {
  scope: CounterScope;
  /** false when its table or column is absent: then it was skipped and every figure is 0 */
  present: boolean;
  reason?: string;
  usersConsistent: number;
  /** share of keys inconsistent, 0-100 */
  inconsistentPct: number;
  /** keys with answers but no counter row (counted as a counter of 0) */
  missingRows: number;
  nullCounters: number;
  /** sum of the counter over all keys, and of the truth */
  sumCounter: number;
  sumTruth: number;
  examples: CounterExample[];
}

export interface CheckReport {
  schema: string;
  checkedAt: string;
  /** every counter that was checked matches its truth for every key */
  consistent: boolean;
  /** all three counters were checked: only then does `consistent` speak for the whole schema */
  complete: boolean;
  /** the counters asked for (all three unless --counters), each checked or, when absent, skipped */
  counters: CounterCheck[];
  /** counters left out by --counters */
  notRequested: string[];
}

export interface CheckOptions {
  /** inconsistent keys to show per counter, worst first (default 10) */
  examples?: number;
  /** the counters to check (default: all three) */
  counters?: readonly CounterDef[];
  /** incremental: only the users (sessions) of the answers whose id is above this one */
  afterAnswerId?: number;
}

const pct = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);

function absent(name: string, scope: CounterScope, reason: string): CounterCheck {
  return {
    name, scope, present: false, reason, usersChecked: 0, usersConsistent: 0, usersInconsistent: 0,
    consistencyPct: 100, inconsistentPct: 0, lost: 0, extra: 0, maxAbsDrift: 0, missingRows: 0,
    nullCounters: 0, sumCounter: 0, sumTruth: 0, examples: [],
  };
}

/** Checks the counters of a schema already inspected, on a client inside a transaction the caller owns. */
export async function checkShape(c: Queryable, shape: SchemaShape, opts: CheckOptions = {}): Promise<CounterCheck[]> {
  const limit = Math.max(0, Math.floor(opts.examples ?? 10));
  const out: CounterCheck[] = [];
  for (const def of opts.counters ?? COUNTERS) {
    const presence = counterPresence(shape, def);
    if (!presence.present) {
      out.push(absent(def.name, def.scope, presence.reason));
      continue;
    }
    const recent = opts.afterAnswerId !== undefined;
    const r = await c.query<DriftSummaryRow>(driftSummarySql(shape, def, recent), recent ? [limit, opts.afterAnswerId] : [limit]);
    const row = r.rows[0];
    const checked = Number(row.checked);
    const inconsistent = Number(row.inconsistent);
    out.push({
      name: def.name,
      scope: def.scope,
      present: true,
      usersChecked: checked,
      usersConsistent: checked - inconsistent,
      usersInconsistent: inconsistent,
      consistencyPct: checked === 0 ? 100 : pct(checked - inconsistent, checked),
      inconsistentPct: pct(inconsistent, checked),
      maxAbsDrift: Number(row.max_drift),
      lost: Number(row.lost),
      extra: Number(row.extra),
      missingRows: Number(row.missing_rows),
      nullCounters: Number(row.null_counters),
      sumCounter: Number(row.sum_counter),
      sumTruth: Number(row.sum_truth),
      examples: row.examples.map((e) => ({
        key: Number(e.key),
        counter: Number(e.counter_raw ?? 0),
        truth: Number(e.truth),
        ...(e.has_row ? {} : { missingRow: true as const }),
        ...(e.has_row && e.counter_raw === null ? { nullCounter: true as const } : {}),
      })),
    });
  }
  return out;
}

/**
 * The exact check of every counter in `schema`. Runs its own REPEATABLE READ READ ONLY
 * transaction on `client` (which must not be inside one). A schema without the answers and
 * sessions tables, or without any of the counters asked for, is a UsageError; a counter whose
 * table or column is absent is reported as not present and skipped.
 */
export async function checkCounters(client: Queryable, schema: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const wanted = opts.counters ?? COUNTERS;
  return inTransaction(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async () => {
    const shape = await inspectSchema(client, schema);
    requireTruthTables(shape);
    requireSomeCounter(shape, wanted);
    const counters = await checkShape(client, shape, { ...opts, counters: wanted });
    return {
      schema,
      checkedAt: new Date().toISOString(),
      consistent: counters.every((k) => !k.present || k.usersInconsistent === 0),
      complete: COUNTERS.every((def) => counters.some((k) => k.name === def.name && k.present)),
      counters,
      notRequested: countersLeftOut(wanted),
    };
  });
}

const keyWord = (scope: CounterScope, plural = false): string => (scope === 'user' ? 'user' : 'session') + (plural ? 's' : '');

export function describeExample(scope: CounterScope, e: CounterExample): string {
  const note = e.missingRow ? ' (no row)' : e.nullCounter ? ' (NULL)' : '';
  const drift = e.counter - e.truth;
  return `${keyWord(scope)} ${e.key}: counter ${e.nullCounter ? 'NULL' : e.counter}${note}, truth ${e.truth}, drift ${drift > 0 ? '+' : ''}${drift}`;
}

/** The report as text, in the spirit of counter_health_check.py's CONSISTENCY REPORT. */
export function formatCheckReport(report: CheckReport, where?: string): string {
  const lines: string[] = [`CONSISTENCY REPORT: schema "${report.schema}"${where ? ` on ${where}` : ''}`, ''];
  for (const k of report.counters) {
    if (!k.present) {
      lines.push(`${k.name}: not present (${k.reason}), skipped`, '');
      continue;
    }
    const total = `Total ${keyWord(k.scope, true)}:`;
    const w = Math.max(total.length, 'Inconsistent:'.length) + 1;
    const row = (label: string, value: string) => lines.push(`  ${label.padEnd(w)}${value}`);
    lines.push(`${k.name} (per ${keyWord(k.scope)})`);
    row(total, String(k.usersChecked));
    row('Consistent:', `${k.usersConsistent} (${k.consistencyPct.toFixed(1)}%)`);
    row('Inconsistent:', `${k.usersInconsistent} (${k.inconsistentPct.toFixed(1)}%)`);
    row('Max drift:', String(k.maxAbsDrift));
    row('Lost:', `${k.lost} (answers the counter missed)`);
    row('Extra:', `${k.extra} (counted with no answer behind it)`);
    if (k.missingRows) row('No row:', `${k.missingRows} ${keyWord(k.scope, k.missingRows !== 1)} with answers but no ${k.name.split('.')[0]} row`);
    if (k.examples.length) {
      lines.push('  Examples:');
      for (const e of k.examples) lines.push(`    ${describeExample(k.scope, e)}`);
      const more = k.usersInconsistent - k.examples.length;
      if (more > 0) lines.push(`    ... and ${more} more`);
    }
    lines.push('');
  }
  const drifting = report.counters.filter((k) => k.present && k.usersInconsistent > 0);
  const checked = report.counters.filter((k) => k.present);
  if (drifting.length) {
    lines.push(
      `Counters drift: ${drifting.map((k) => `${k.name} (${k.usersInconsistent})`).join(', ')}.`,
      'See the fix with `counterbench repair --dry-run`, apply it with `counterbench repair`.',
    );
  } else if (report.complete) lines.push('All counters are consistent.');
  else lines.push(`Consistent, of the counters checked: ${checked.map((k) => k.name).join(', ')}.`);
  lines.push(...notCheckedLines(report.counters, report.notRequested));
  return lines.join('\n');
}

/** The counters a report could not speak for, and why; shared by check and repair. */
export function notCheckedLines(
  counters: ReadonlyArray<{ name: string; present: boolean; reason?: string }>,
  notRequested: readonly string[],
  verb: 'checked' | 'repaired' = 'checked',
): string[] {
  const absent = counters.filter((k) => !k.present);
  const lines: string[] = [];
  if (absent.length) {
    lines.push(`NOT ${verb.toUpperCase()}: ${absent.map((k) => `${k.name} (${k.reason})`).join(', ')}.`);
    lines.push('Pass --counters with the counters this schema keeps to leave the others out on purpose.');
  }
  if (notRequested.length) lines.push(`Not ${verb}, as --counters asked: ${notRequested.join(', ')}.`);
  return lines;
}
