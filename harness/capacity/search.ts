// The rate search for one strategy at one data size: for each SLO line (ascending), step the
// arrival rate up geometrically from the start until a step fails, then bisect between the last
// passing and the first failing rate until they are within the tolerance. Steps measured for one
// line serve the next: a step's verdict is kept per line, so the 100 ms line starts from what the
// 50 ms line already learned.
// On a shared machine noise only ever adds latency, and a server that met a line at some rate
// meets it at any lower one (the same work, fewer arrivals). So: a failure is confirmed by a
// second step at the same rate, the rate failing only when both do; and a rate passes a line
// when it or any higher rate did, failures below a pass counting as noise. Lines are revisited
// until none has a rate left to try, since a later line's steps can move an earlier one's bracket.
// Pure apart from `measure`, so it can be checked on known curves.
import type { CapacityKnee, CapacityLimit, CapacitySearch, CapacityStep } from '../results/types.ts';
import { failuresFor, harnessExplains, lineKey } from './verdict.ts';

/** Below this many arrivals per second a step says nothing useful: the search stops going down. */
export const MIN_RATE = 1;

export interface SearchPlan {
  sloP99Ms: number[];
  startRate: number;
  growth: number;
  tolerance: number;
  maxRate: number;
}

export interface SearchHooks {
  /** measures and judges one step at this many arrivals per second */
  measure(rate: number): Promise<CapacityStep>;
  /** false when the next step would not fit in the search's share of the budget */
  canStep(): boolean;
  aborted(): boolean;
}

export interface SearchOutcome {
  status: Extract<CapacitySearch['status'], 'done' | 'unfinished' | 'interrupted'>;
  steps: CapacityStep[];
  knees: CapacityKnee[];
}

/** Rates as a person would write them: whole numbers from 100 up, one decimal below. */
export function roundRate(r: number): number {
  return r >= 100 ? Math.round(r) : Math.round(r * 10) / 10;
}

export interface Bracket {
  /** highest passing rate below the lowest failing one */
  lo?: CapacityStep;
  /** lowest failing rate */
  hi?: CapacityStep;
}

/** Per rate: did any of its steps pass the line, and the step that stands for it (a pass; else
 *  a failure the harness cannot account for if there is one, that failure being the server's;
 *  else the last). */
function byRate(steps: CapacityStep[], sloP99Ms: number): Map<number, { passed: boolean; step: CapacityStep }> {
  const key = lineKey(sloP99Ms);
  const out = new Map<number, { passed: boolean; step: CapacityStep }>();
  for (const s of steps) {
    const seen = out.get(s.offeredRate);
    if (seen?.passed) continue;
    if (seen && !s.passed[key] && !harnessExplains(seen.step, sloP99Ms) && harnessExplains(s, sloP99Ms)) continue;
    out.set(s.offeredRate, { passed: s.passed[key], step: s });
  }
  return out;
}

export function bracket(steps: CapacityStep[], sloP99Ms: number): Bracket {
  const rates = [...byRate(steps, sloP99Ms).values()];
  let lo: CapacityStep | undefined;
  for (const r of rates) if (r.passed && (!lo || r.step.offeredRate > lo.offeredRate)) lo = r.step;
  let hi: CapacityStep | undefined;
  for (const r of rates) {
    if (r.passed || (lo && r.step.offeredRate <= lo.offeredRate)) continue;
    if (!hi || r.step.offeredRate < hi.offeredRate) hi = r.step;
  }
  return { lo, hi };
}

/** The rate needs its confirming second step: its only step so far failed the line. */
function unconfirmed(steps: CapacityStep[], rate: number, sloP99Ms: number): boolean {
  const at = steps.filter((s) => s.offeredRate === rate);
  return at.length === 1 && !at[0].passed[lineKey(sloP99Ms)];
}

/** The next rate to try for the line, or undefined when its search is over. */
export function nextRate(b: Bracket, p: SearchPlan): number | undefined {
  const lo = b.lo?.offeredRate;
  const hi = b.hi?.offeredRate;
  let next: number;
  if (hi === undefined) {
    if (lo === undefined) return roundRate(p.startRate);
    if (lo >= p.maxRate) return undefined;
    // the ceiling itself is tried once before the search gives up going higher
    next = Math.min(p.maxRate, lo * p.growth);
  } else if (lo === undefined) {
    // failing from the start: come down geometrically to the first pass
    next = hi / p.growth;
    if (next < MIN_RATE) return undefined;
  } else {
    if (hi <= lo * (1 + p.tolerance)) return undefined;
    next = Math.sqrt(lo * hi);
  }
  const r = roundRate(next);
  if ((lo !== undefined && r <= lo) || (hi !== undefined && r >= hi)) return undefined;
  return r;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100));

function failureText(s: CapacityStep, slo: number): string {
  const parts: string[] = [];
  for (const f of failuresFor(s, slo)) {
    if (f === 'latency') parts.push(`write p99 ${fmt(s.latencyMs.p99)} ms > ${fmt(slo)} ms`);
    else if (f === 'throughput') parts.push(`achieved ${fmt(s.achievedRate)}/s`);
    else if (f === 'errors') parts.push(`${fmt(s.errorPct)}% errors`);
    else if (f === 'drops') parts.push(`${s.dropped} arrivals dropped`);
    else parts.push(`counters drifted by ${s.drift?.added ?? '?'}`);
  }
  return parts.join(', ');
}

export function harnessText(s: CapacityStep): string {
  const why: string[] = [];
  if (s.pool.limited) why.push(`all ${s.clients} connections busy (${s.pool.busyPct}%) while the server answered as fast as at low load`);
  why.push(`harness CPU ${Math.round(s.harness.cpuPct)}% of a core, event-loop stalls up to ${fmt(s.harness.loopDelayMaxMs)} ms`);
  return why.join('; ');
}

/** The knee of one line from the steps, and what limited it. */
export function kneeOf(steps: CapacityStep[], sloP99Ms: number, status: SearchOutcome['status'], p: SearchPlan): CapacityKnee {
  const { lo, hi } = bracket(steps, sloP99Ms);
  const rate = lo?.offeredRate ?? null;
  const failedAt = hi?.offeredRate ?? null;
  const finished = nextRate({ lo, hi }, p) === undefined;
  const knee = (limit: CapacityLimit, detail: string, lowerBound: boolean): CapacityKnee => ({ sloP99Ms, rate, failedAt, limit, detail, lowerBound });
  if (!steps.length) return knee('not-measured', 'no step was measured', false);
  if (!finished) {
    const cause = hi ? `; the first failure so far, at ${fmt(hi.offeredRate)}/s: ${failureText(hi, sloP99Ms)}` : '';
    return status === 'interrupted'
      ? knee('interrupted', `interrupted with ${rate === null ? 'no passing rate' : `${fmt(rate)}/s passing`}${cause}`, true)
      : knee('budget', `the search's share of the budget ran out with ${rate === null ? 'no passing rate' : `${fmt(rate)}/s passing`}${cause}`, true);
  }
  if (!hi) return knee('max-rate', `nothing failed up to the search's ceiling of ${fmt(p.maxRate)}/s`, true);
  const failures = failuresFor(hi, sloP99Ms);
  const what = `at ${fmt(hi.offeredRate)}/s: ${failureText(hi, sloP99Ms)}`;
  if (harnessExplains(hi, sloP99Ms)) {
    // the failure may be the harness's own: the server carries at least the passing rate
    return knee('harness', `the harness may have caused the failure (${harnessText(hi)}) ${what}`, true);
  }
  if (rate === null) return knee(failures[0] ?? 'latency', `fails even at ${fmt(hi.offeredRate)}/s: ${failureText(hi, sloP99Ms)}`, false);
  return knee(failures[0] ?? 'latency', what, false);
}

/** The next step the search wants: the first line (ascending) with a rate left to try, a failure
 *  to confirm before anything else. */
function nextStep(steps: CapacityStep[], p: SearchPlan): number | undefined {
  for (const slo of p.sloP99Ms) {
    const b = bracket(steps, slo);
    if (b.hi && unconfirmed(steps, b.hi.offeredRate, slo)) return b.hi.offeredRate;
    const r = nextRate(b, p);
    if (r !== undefined) return r;
  }
  return undefined;
}

export async function searchKnees(p: SearchPlan, h: SearchHooks): Promise<SearchOutcome> {
  const steps: CapacityStep[] = [];
  let status: SearchOutcome['status'] = 'done';
  for (;;) {
    const rate = nextStep(steps, p);
    if (rate === undefined) break;
    if (h.aborted()) {
      status = 'interrupted';
      break;
    }
    if (!h.canStep()) {
      status = 'unfinished';
      break;
    }
    const step = await h.measure(rate);
    // Ctrl-C during a step: its figures are partial and judge nothing
    if (h.aborted()) {
      status = 'interrupted';
      break;
    }
    steps.push(step);
  }
  return { status, steps, knees: p.sloP99Ms.map((slo) => kneeOf(steps, slo, status, p)) };
}
