// results.csv: one row per strategy, operation and round (round "all" for the run's totals when
// the run kept no rounds), for spreadsheets and notebooks.
import type { OpName, OpResult, Results, StrategyResult } from '../harness/results/types.ts';
import { costVsBaseline, minConsistencyPct, OP_NAMES } from './figures.ts';
import { stripUrls } from './safe-text.ts';
import { renderCapacityCsv } from './capacity-csv.ts';

export const CSV_COLUMNS = [
  'strategy',
  'title',
  'status',
  'round',
  'op',
  'count',
  'errors',
  'attempts',
  'retries',
  'throughput_ops_s',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'service_p50_ms',
  'service_p99_ms',
  'consistent',
  'consistency_min_pct',
  'write_latency_x_baseline',
  'write_throughput_x_baseline',
  'reason',
] as const;

type Cell = string | number | boolean | undefined | null;

export function csvCell(v: Cell): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A text cell starting with = + - @ would run as a formula in a spreadsheet.
  let s = stripUrls(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(results: Results, s: StrategyResult, round: string | number, op: OpName | '', r: OpResult | undefined): string {
  const cost = costVsBaseline(results, s);
  const values: Cell[] = [
    s.id,
    s.title,
    s.status,
    String(round),
    op,
    r?.count,
    r?.errors,
    r?.attempts,
    r?.retries,
    r?.throughput,
    r?.latencyMs.mean,
    r?.latencyMs.p50,
    r?.latencyMs.p95,
    r?.latencyMs.p99,
    r?.latencyMs.p999,
    r?.latencyMs.max,
    r?.serviceTimeMs?.p50,
    r?.serviceTimeMs?.p99,
    s.drift ? s.drift.consistent : undefined,
    minConsistencyPct(s.drift),
    cost.writeLatencyRatio,
    cost.writeThroughputRatio,
    s.reason,
  ];
  return values.map(csvCell).join(',');
}

export function renderCsv(results: Results): string {
  if (results.capacity) return renderCapacityCsv(results);
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const s of results.strategies) {
    const before = lines.length;
    if (s.rounds && s.rounds.length > 0) {
      for (const rd of s.rounds) for (const op of OP_NAMES) if (rd.ops[op]) lines.push(row(results, s, rd.round, op, rd.ops[op]));
    } else {
      for (const op of OP_NAMES) if (s.ops?.[op]) lines.push(row(results, s, 'all', op, s.ops[op]));
    }
    // A strategy that measured nothing still gets a row, so its status and reason are in the file.
    if (lines.length === before) lines.push(row(results, s, 'all', '', undefined));
  }
  return lines.join('\r\n') + '\r\n';
}
