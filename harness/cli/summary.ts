// The closing summary on the terminal, in the spirit of pgbench's: one table, every figure a
// reader needs to compare strategies at a glance.
import type { Results, StrategyResult } from '../results/types.ts';
import { allFaults, describeFault } from '../../reports/faults.ts';
import { describeOutcome } from '../results/thresholds.ts';

const f = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

function consistency(s: StrategyResult): string {
  if (!s.drift) return '-';
  if (!s.drift.counters.length) return 'no counter';
  const worst = Math.min(...s.drift.counters.map((c) => c.consistencyPct));
  // the worst counter's, not a sum: one skipped trigger run misses every counter at once
  const lost = Math.max(...s.drift.counters.map((c) => c.lost));
  const extra = Math.max(...s.drift.counters.map((c) => c.extra));
  return `${worst.toFixed(1)}%${lost ? ` lost ${lost}` : ''}${extra ? ` extra ${extra}` : ''}`;
}

/** Columns aligned: the first `textColumns` to the left, the rest (figures) to the right. */
export function renderTable(rows: string[][], textColumns = 1): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function renderSummary(r: Results): string {
  const sc = r.run.scenario;
  const load = sc.load.kind === 'closed' ? `closed, ${sc.load.clients} clients` : `open, ${sc.load.rate}/s on ${sc.load.clients} connections`;
  const head = [
    `counterbench ${r.run.id}${r.run.interrupted ? ' (INTERRUPTED: partial results)' : ''}`,
    `scenario: ${sc.name}; ${sc.data.users} users; ${load}; ${sc.phases.durationSeconds}s x ${sc.rounds} round(s) per strategy`,
    `target: ${r.run.environment.target}, ${r.run.environment.postgres.version.split(' on ')[0]}; node ${r.run.environment.node}; ${r.run.environment.cpus} cpus`,
    '',
  ];
  const rows: string[][] = [['strategy', 'status', 'write/s', 'write p50', 'p99 ms', 'x base', 'read/s', 'read p99', 'errors', 'consistent', 'reads out', 'converge']];
  for (const s of r.strategies) {
    // partial figures (interrupted, or failed after its load ran) are still figures: shown, and marked
    if (s.status !== 'ok' && !s.rounds?.length) {
      rows.push([s.id, s.status, '', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const w = s.ops.write;
    const rd = s.ops.read;
    const errors = Object.values(s.ops).reduce((a, o) => a + (o?.errors ?? 0), 0);
    const reads = s.drift?.reads;
    rows.push([
      s.id,
      s.status !== 'ok' ? s.status : s.faults?.some((f) => f.happened) ? 'FAULT' : s.drift?.consistent === false ? 'DRIFT' : 'ok',
      f(w?.throughput, 0),
      f(w?.latencyMs.p50, 3),
      f(w?.latencyMs.p99, 3),
      f(s.vsBaseline?.writeLatencyRatio, 2),
      f(rd?.throughput, 0),
      f(rd?.latencyMs.p99, 3),
      String(errors),
      consistency(s),
      reads ? `${f(reads.outOfBoundsPct, 1)}%` : '-',
      s.drift?.convergeMs === null ? 'never' : s.drift ? `${s.drift.convergeMs}ms` : '-',
    ]);
  }
  const notes = r.strategies
    .filter((s) => s.reason)
    .map((s) => `  ${s.id} (${s.status}): ${s.reason!.split('\n')[0]}`);
  const faults = allFaults(r).map(({ strategy, fault }) => `  ${strategy}: ${describeFault(fault)}`);
  const th = (r.run.thresholds ?? []).map((t) => `  ${t.passed ? 'pass' : 'FAIL'}  ${describeOutcome(t)}`);
  return [...head, renderTable(rows), ...(notes.length ? ['', 'not measured in full:', ...notes] : []), ...(faults.length ? ['', 'faults (their cost is theirs; no claim is decided on these phases):', ...faults] : []), ...(th.length ? ['', 'thresholds:', ...th] : [])].join('\n');
}
