// The capacity section's figures as every report shows them (terminal, summary.md, results.csv,
// report.html): one row per strategy, data size and SLO line, a knee written so that a lower
// bound or a projection can never be read as a measurement.
import type { CapacityCrossing, CapacityKnee, CapacityResult, CapacitySearch, Results } from '../harness/results/types.ts';
import { fmtInt, fmtNum } from './format.ts';

export interface KneeRow {
  strategy: string;
  users: number;
  status: CapacitySearch['status'];
  reason?: string;
  knee: CapacityKnee;
  steps: number;
  harnessLimitedSteps: number;
}

export function kneeRows(c: CapacityResult): KneeRow[] {
  return c.searches.flatMap((s) =>
    s.knees.map((knee) => ({
      strategy: s.strategy,
      users: s.users,
      status: s.status,
      reason: s.reason,
      knee,
      steps: s.steps.length,
      harnessLimitedSteps: s.steps.filter((x) => x.harnessLimited).length,
    })),
  );
}

/** "1,600/s", "≥ 1,600/s" for a lower bound, "< 50/s" when even the lowest rate failed. */
export function fmtKnee(k: CapacityKnee): string {
  if (k.rate === null) return k.failedAt !== null ? `< ${fmtNum(k.failedAt)}/s` : '–';
  return `${k.lowerBound ? '≥ ' : ''}${fmtNum(k.rate)}/s`;
}

/** "3.1×", "≥ 3.1×" when the knee is a lower bound. */
export function fmtHeadroom(h: number | null | undefined, lowerBound: boolean): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return '–';
  return `${lowerBound ? '≥ ' : ''}${fmtNum(h, 2)}×`;
}

const LIMIT_TEXT: Record<CapacityKnee['limit'], string> = {
  latency: 'latency',
  errors: 'errors',
  drops: 'dropped arrivals',
  throughput: 'throughput short of offered',
  drift: 'counter drift',
  harness: 'the harness (lower bound)',
  budget: 'budget ran out',
  interrupted: 'interrupted',
  'max-rate': 'search ceiling (lower bound)',
  'not-measured': 'not measured',
};

export function fmtLimit(k: CapacityKnee): string {
  return LIMIT_TEXT[k.limit] ?? k.limit;
}

/** "12,400 users (interpolated)", "≥ 40,000 users (projected)". */
export function fmtCrossing(x: CapacityCrossing): string {
  if (x.users === null) return '–';
  return `${x.lowerBound ? '≥ ' : ''}${fmtInt(x.users)} users (${x.basis})`;
}

export function isCapacityRun(r: Results): r is Results & { capacity: CapacityResult } {
  return r.capacity !== undefined;
}

/** A sentence on the planner's question, per SLO line: who holds the profile's peak at today's
 *  users, and how many times over. */
export function todayLines(c: CapacityResult): string[] {
  if (!c.profile || !c.today) return [];
  const p = c.profile;
  const peak = p.users * p.peakWritesPerUserPerSecond;
  const head = `Today: ${fmtInt(p.users)} users at a peak of ${fmtNum(peak)} writes/s (${fmtNum(p.peakWritesPerUserPerSecond * 1000, 3)} per 1,000 users per second).`;
  const lines = c.today.map(
    (t) =>
      `${t.strategy} holds ${fmtHeadroom(t.headroom, t.lowerBound)} today's peak within p99 ${fmtNum(t.sloP99Ms)} ms` +
      (t.basis && t.basis !== 'measured' ? ` (${t.basis}: today's size was not measured)` : ''),
  );
  return [head, ...lines];
}
