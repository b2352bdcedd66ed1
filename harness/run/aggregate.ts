// Rounds folded into one figure per strategy: the median across rounds, with every round kept
// beside it for the spread; each strategy's cost also as a ratio to baseline's in the same round.
import type { LatencySummary, OpName, OpResult, RoundResult, StrategyResult } from '../results/types.ts';

/** 0 for no values (nothing measured folds to 0, not NaN). */
export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function medianLatency(ls: LatencySummary[]): LatencySummary {
  const pick = (k: keyof LatencySummary) => median(ls.map((l) => l[k] ?? 0));
  return { mean: pick('mean'), p50: pick('p50'), p95: pick('p95'), p99: pick('p99'), p999: pick('p999'), max: Math.max(...ls.map((l) => l.max)) };
}

export function medianOps(rounds: RoundResult[]): Partial<Record<OpName, OpResult>> {
  const out: Partial<Record<OpName, OpResult>> = {};
  for (const op of ['write', 'read', 'delete'] as OpName[]) {
    const rs = rounds.map((r) => r.ops[op]).filter((x): x is OpResult => !!x);
    if (!rs.length) continue;
    if (rs.length === 1) {
      out[op] = rs[0];
      continue;
    }
    const kinds: Record<string, number> = {};
    for (const r of rs) for (const [k, n] of Object.entries(r.errorsByKind ?? {})) kinds[k] = (kinds[k] ?? 0) + n;
    out[op] = {
      // counts are totals over rounds; rates and latencies are medians
      count: rs.reduce((a, r) => a + r.count, 0),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      attempts: rs.reduce((a, r) => a + (r.attempts ?? 0), 0),
      retries: rs.reduce((a, r) => a + (r.retries ?? 0), 0),
      errorsByKind: kinds,
      throughput: median(rs.map((r) => r.throughput)),
      latencyMs: medianLatency(rs.map((r) => r.latencyMs)),
      serviceTimeMs: rs.every((r) => r.serviceTimeMs) ? medianLatency(rs.map((r) => r.serviceTimeMs!)) : undefined,
    };
  }
  return out;
}

/** Per round, write mean latency and throughput divided by baseline's; the median of those. */
export function baselineRatios(s: StrategyResult, baseline: StrategyResult | undefined): StrategyResult['vsBaseline'] {
  if (!baseline?.rounds || !s.rounds) return undefined;
  const lat: number[] = [];
  const thr: number[] = [];
  for (const r of s.rounds) {
    const b = baseline.rounds.find((x) => x.round === r.round);
    const w = r.ops.write;
    const bw = b?.ops.write;
    if (!w || !bw || !w.count || !bw.count) continue;
    if (bw.latencyMs.mean > 0) lat.push(w.latencyMs.mean / bw.latencyMs.mean);
    if (bw.throughput > 0) thr.push(w.throughput / bw.throughput);
  }
  if (!lat.length) return undefined;
  return { writeLatencyRatio: median(lat), writeThroughputRatio: median(thr) };
}
