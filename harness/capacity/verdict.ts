// Whether one step of the rate search passed, for each SLO line, and whether the harness rather
// than the server may have failed it. Pure: the figures come from the step (step.ts).
import type { CapacityStep, OpName, OpResult, StepCause } from '../results/types.ts';

/** Errors, or dropped arrivals, above this share of the window's arrivals fail a step. */
export const MAX_ERROR_PCT = 0.1;
/** An achieved rate more than this far below the offered one fails a step. */
export const MAX_SHORTFALL_PCT = 5;
/** Connections this busy on average count as all busy. */
const POOL_FULL_PCT = 90;
/** Service time within this factor of the search's lowest means the server was not slower. */
const SERVICE_UNCHANGED_FACTOR = 2;
/** The harness's CPU share of one core that counts as saturated (as in measure/loop-delay.ts). */
const HARNESS_CPU_PCT = 90;

/** What one step measured, before it is judged. */
export interface StepMeasurement {
  startedAt: number;
  wallMs: number;
  offeredRate: number;
  clients: number;
  maxInFlight: number;
  warmupSeconds: number;
  windowSeconds: number;
  ops: Partial<Record<OpName, OpResult>>;
  harness: CapacityStep['harness'];
  drift: CapacityStep['drift'];
}

export interface JudgeContext {
  index: number;
  sloP99Ms: number[];
  /** the lowest mean write service time of the search so far (this step included), ms */
  lowestServiceMs: number;
}

const sum = (ops: Array<OpResult | undefined>, f: (o: OpResult) => number) => ops.reduce((a, o) => a + (o ? f(o) : 0), 0);

/** The key a step's `passed` record uses for an SLO line. */
export const lineKey = (sloP99Ms: number) => String(sloP99Ms);

export function judgeStep(m: StepMeasurement, c: JudgeContext): CapacityStep {
  const all = Object.values(m.ops);
  const w = m.ops.write;
  const count = sum(all, (o) => o.count);
  const errors = sum(all, (o) => o.errors);
  const dropped = sum(all, (o) => o.dropped ?? 0);
  const arrivals = count + errors;
  const achievedRate = sum(all, (o) => o.throughput);
  // Little's law: operations in service at once = completions per second x seconds each
  const busy = sum(all, (o) => o.throughput * ((o.serviceTimeMs?.mean ?? o.latencyMs.mean) / 1000));
  const busyPct = m.clients > 0 ? (busy / m.clients) * 100 : 0;
  const serviceMean = w?.serviceTimeMs?.mean ?? w?.latencyMs.mean ?? 0;
  // every connection busy while each operation took no longer than at low load: the server had
  // room, the pool did not
  const poolLimited = busyPct >= POOL_FULL_PCT && serviceMean <= c.lowestServiceMs * SERVICE_UNCHANGED_FACTOR;

  const causes: StepCause[] = [];
  if (m.drift && m.drift.added > 0) causes.push('drift');
  if (arrivals > 0 && ((errors - dropped) / arrivals) * 100 > MAX_ERROR_PCT) causes.push('errors');
  if (arrivals > 0 && (dropped / arrivals) * 100 > MAX_ERROR_PCT) causes.push('drops');
  if (achievedRate < m.offeredRate * (1 - MAX_SHORTFALL_PCT / 100)) causes.push('throughput');

  const p99 = w?.latencyMs.p99 ?? 0;
  const passed: Record<string, boolean> = {};
  for (const slo of c.sloP99Ms) passed[lineKey(slo)] = causes.length === 0 && p99 <= slo && (w?.count ?? 0) > 0;

  const step: CapacityStep = {
    index: c.index,
    startedAt: m.startedAt,
    wallMs: Math.round(m.wallMs),
    offeredRate: m.offeredRate,
    achievedRate,
    clients: m.clients,
    maxInFlight: m.maxInFlight,
    warmupSeconds: m.warmupSeconds,
    windowSeconds: m.windowSeconds,
    writes: w?.count ?? 0,
    errors,
    dropped,
    errorPct: arrivals > 0 ? (errors / arrivals) * 100 : 0,
    latencyMs: { mean: w?.latencyMs.mean ?? 0, p50: w?.latencyMs.p50 ?? 0, p99, max: w?.latencyMs.max ?? 0 },
    serviceMs: { mean: serviceMean, p50: w?.serviceTimeMs?.p50 ?? 0, p99: w?.serviceTimeMs?.p99 ?? 0 },
    drift: m.drift,
    harness: m.harness,
    pool: { busyPct: Math.round(busyPct * 10) / 10, limited: poolLimited },
    harnessLimited: false,
    causes,
    passed,
  };
  step.harnessLimited = c.sloP99Ms.some((slo) => harnessExplains(step, slo));
  return step;
}

/** A stall of the event loop delays the arrivals due during it, and then those queued behind
 *  them while the backlog drains: at moderate load about as long again. */
const STALL_REACH = 2;

/**
 * May the harness, rather than the server, have failed this step for this line? Yes when it was
 * the bottleneck: its CPU saturated a core, or every connection was busy while the server stayed
 * fast; or when its longest event-loop stall could account for the failure (the latency over the
 * line, or the time the achieved rate fell behind, within twice the stall). A stall of the shared
 * machine that cannot account for the failure does not excuse it: a p99 of two seconds is not a
 * 30 ms stall.
 */
export function harnessExplains(step: CapacityStep, sloP99Ms: number): boolean {
  const failed = failuresFor(step, sloP99Ms);
  if (!failed.length) return false;
  if (step.pool.limited || step.harness.cpuPct >= HARNESS_CPU_PCT) return true;
  // errors, drops and drift are the server's answers, not the harness's lateness
  if (failed.some((f) => f === 'errors' || f === 'drops' || f === 'drift')) return false;
  const stallMs = step.harness.loopDelayMaxMs * STALL_REACH;
  if (failed.includes('latency') && step.latencyMs.p99 - stallMs > sloP99Ms) return false;
  if (failed.includes('throughput')) {
    const behindMs = step.windowSeconds * 1000 * (step.offeredRate / Math.max(step.achievedRate, 1e-9) - 1);
    if (behindMs > stallMs) return false;
  }
  return true;
}

/** Why the step failed the line, most telling first; empty when it passed. */
export function failuresFor(step: CapacityStep, sloP99Ms: number): Array<StepCause | 'latency'> {
  if (step.passed[lineKey(sloP99Ms)]) return [];
  const out: Array<StepCause | 'latency'> = [];
  // drift and errors say the strategy broke; latency is the line itself; a shortfall usually
  // comes with it and explains less
  for (const c of ['drift', 'errors', 'drops'] as const) if (step.causes.includes(c)) out.push(c);
  if (step.latencyMs.p99 > sloP99Ms || step.writes === 0) out.push('latency');
  if (step.causes.includes('throughput')) out.push('throughput');
  return out;
}
