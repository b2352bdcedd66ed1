// Thresholds turn a run into pass or fail (exit code 1 when any fails, as k6 does). Each one is
// judged per strategy that ran ('ok'); a strategy that did not run is neither pass nor fail.
import type { Threshold } from '../config/types.ts';
import type { StrategyResult, ThresholdOutcome } from './types.ts';

/** absent: the strategy has no such metric; null: it has it, without a value (never converged) */
type Lookup = number | null | undefined;

function drift(r: StrategyResult, field: string): Lookup {
  if (field === 'consistencyPct' && r.counters.length === 0) return 100;
  const counters = r.drift?.counters;
  if (!r.drift) return undefined;
  switch (field) {
    case 'convergeMs':
      return r.drift.convergeMs;
    case 'consistencyPct':
      // the worst counter is the strategy's consistency
      return counters && counters.length ? Math.min(...counters.map((c) => c.consistencyPct)) : 100;
    case 'maxAbsDrift':
      return counters && counters.length ? Math.max(...counters.map((c) => c.maxAbsDrift)) : 0;
    case 'lost':
    case 'extra':
      return (counters ?? []).reduce((a, c) => a + c[field], 0);
    default:
      return undefined;
  }
}

/** The metric's value for one strategy: a dotted path into its result, with drift aggregated. */
export function metricValue(r: StrategyResult, metric: string): Lookup {
  const p = metric.split('.');
  if (p[0] === 'drift') {
    if (p.length === 2) return drift(r, p[1]);
    if (p.length === 3 && p[1] === 'counters') return drift(r, p[2]);
  }
  let v: unknown = r;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v === null ? null : undefined;
}

function holds(actual: number, op: Threshold['op'], value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}

/**
 * One outcome per threshold and judged strategy. A strategy is judged when its status is 'ok'
 * and the threshold names it or names none. A metric the strategy lacks (a read threshold on a
 * write-only run) is skipped, unless the threshold named the strategy: then it fails, actual null.
 * A named strategy that failed during the run fails the threshold too: nothing was shown to hold.
 */
export function evaluateThresholds(thresholds: Threshold[], strategies: StrategyResult[]): ThresholdOutcome[] {
  const out: ThresholdOutcome[] = [];
  for (const t of thresholds) {
    const named = t.strategies !== undefined;
    for (const r of strategies) {
      if (named && !t.strategies!.includes(r.id)) continue;
      if (r.status === 'failed' && named) out.push({ expression: t.expression, strategy: r.id, actual: null, passed: false });
      if (r.status !== 'ok') continue;
      const actual = metricValue(r, t.metric);
      if (actual === undefined) {
        if (named) out.push({ expression: t.expression, strategy: r.id, actual: null, passed: false });
        continue;
      }
      out.push({ expression: t.expression, strategy: r.id, actual, passed: actual !== null && holds(actual, t.op, t.value) });
    }
  }
  return out;
}

/** One outcome in words: "trigger-upsert: ops.write.latencyMs.p99 < 50 (actual 2.4)". */
export function describeOutcome(t: ThresholdOutcome): string {
  return `${t.strategy}: ${t.expression} (actual ${t.actual === null ? 'n/a' : Number(t.actual.toPrecision(4))})`;
}

export function thresholdsFailed(outcomes: ThresholdOutcome[]): boolean {
  return outcomes.some((o) => !o.passed);
}
