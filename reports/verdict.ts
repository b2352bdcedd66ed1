// The run's answer in one place: which strategies kept every counter exact and at what write cost
// against the baseline. HTML and Markdown both render this, so they never disagree.
import type { Results, StrategyResult } from '../harness/results/types.ts';
import { costVsBaseline, minConsistencyPct, worstExtra, worstLost, type BaselineCost } from './figures.ts';

export type VerdictClass = 'exact' | 'drifted' | 'no-counter' | 'unchecked' | 'not-run';

export interface VerdictEntry {
  id: string;
  title: string;
  class: VerdictClass;
  status: StrategyResult['status'];
  reason?: string;
  cost: BaselineCost;
  writeP50Ms?: number;
  writeP99Ms?: number;
  readP50Ms?: number;
  consistencyPct?: number;
  lost?: number;
  extra?: number;
  convergeMs?: number | null;
  /** share of the counter reads the app made that were outside what was acknowledged */
  readsOutOfBoundsPct?: number;
  harnessSaturated?: boolean;
}

export interface Verdict {
  exact: VerdictEntry[];
  drifted: VerdictEntry[];
  /** ran, but keeps no counter (the baseline) */
  noCounter: VerdictEntry[];
  /** ran, keeps counters, but no drift check came back */
  unchecked: VerdictEntry[];
  notRun: VerdictEntry[];
  /** the lowest write latency ratio to baseline among exact strategies whose every read was in
   *  bounds: exact after a drain is not exact for the app that reads in between */
  cheapestExact?: VerdictEntry;
  headline: string;
}

function classify(s: StrategyResult): VerdictClass {
  if (s.status !== 'ok') return 'not-run';
  // the baseline's drift check is vacuous (no counter to be wrong): it is no exact strategy
  if (s.counters.length === 0) return 'no-counter';
  if (s.drift) return s.drift.consistent ? 'exact' : 'drifted';
  return 'unchecked';
}

export function entryOf(results: Results, s: StrategyResult): VerdictEntry {
  return {
    id: s.id,
    title: s.title,
    class: classify(s),
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    cost: costVsBaseline(results, s),
    writeP50Ms: s.ops?.write?.latencyMs.p50,
    writeP99Ms: s.ops?.write?.latencyMs.p99,
    readP50Ms: s.ops?.read?.latencyMs.p50,
    consistencyPct: minConsistencyPct(s.drift),
    lost: worstLost(s.drift),
    extra: worstExtra(s.drift),
    convergeMs: s.drift?.convergeMs,
    readsOutOfBoundsPct: s.drift?.reads?.judged ? s.drift.reads.outOfBoundsPct : undefined,
    harnessSaturated: s.harnessSaturated,
  };
}

export function verdictOf(results: Results): Verdict {
  const entries = results.strategies.map((s) => entryOf(results, s));
  const exact = entries.filter((e) => e.class === 'exact');
  const drifted = entries.filter((e) => e.class === 'drifted');
  const ratio = (e: VerdictEntry): number => e.cost.writeLatencyRatio ?? e.writeP50Ms ?? Infinity;
  const cheapestExact = exact.filter((e) => !e.readsOutOfBoundsPct).sort((a, b) => ratio(a) - ratio(b))[0];
  const checked = exact.length + drifted.length;
  let headline: string;
  if (checked === 0) headline = 'No strategy had its counters checked in this run.';
  else if (drifted.length === 0) headline = `All ${checked} strategies whose counters were checked kept every counter exact.`;
  else if (exact.length === 0) headline = `None of the ${checked} strategies whose counters were checked kept every counter exact.`;
  else headline = `${exact.length} of ${checked} strategies whose counters were checked kept every counter exact; ${drifted.length} drifted.`;
  return {
    exact,
    drifted,
    noCounter: entries.filter((e) => e.class === 'no-counter'),
    unchecked: entries.filter((e) => e.class === 'unchecked'),
    notRun: entries.filter((e) => e.class === 'not-run'),
    ...(cheapestExact ? { cheapestExact } : {}),
    headline,
  };
}
