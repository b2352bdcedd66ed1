// The open model's arrival schedule: when each operation is meant to start, generated before the
// phase so that every strategy is offered exactly the same arrivals. Latency is then measured
// from these intended starts, so a stalled server shows in the percentiles (no coordinated
// omission). Arrivals are evenly spaced by default (as wrk2 does), or a Poisson process.
import type { Stage } from '../config/types.ts';
import { derive } from './rng.ts';

export interface ScheduleSpec {
  /** arrivals per second at the start (and throughout when there are no stages) */
  rate: number;
  /** warm-up before the measured phase, at the start rate; offsets then count from its start */
  warmupSeconds?: number;
  /** the measured phase; stages take its start, the rest holds the last stage's target */
  durationSeconds: number;
  /** each ramps the rate linearly from where the previous ended to its target */
  stages?: Stage[];
  seed: number;
  /** exponential gaps instead of even ones */
  poisson?: boolean;
}

interface Segment {
  startMs: number;
  durationMs: number;
  /** arrivals per ms at the start and end of the segment */
  r0: number;
  r1: number;
  /** arrivals expected before the segment */
  before: number;
}

function segments(spec: ScheduleSpec): Segment[] {
  const warmupMs = (spec.warmupSeconds ?? 0) * 1000;
  const totalMs = warmupMs + spec.durationSeconds * 1000;
  const out: Segment[] = [];
  let t = 0;
  let rate = spec.rate / 1000;
  let before = 0;
  const push = (durationMs: number, r1: number) => {
    const d = Math.min(durationMs, totalMs - t);
    if (d <= 0) return;
    // a stage cut short by the end of the phase ends at the rate reached by then
    const end = rate + ((r1 - rate) * d) / durationMs;
    out.push({ startMs: t, durationMs: d, r0: rate, r1: end, before });
    before += ((rate + end) / 2) * d;
    t += d;
    rate = end;
  };
  if (warmupMs > 0) push(warmupMs, rate);
  for (const s of spec.stages ?? []) push(s.durationSeconds * 1000, s.target / 1000);
  if (t < totalMs) push(totalMs - t, rate);
  return out;
}

/** Expected number of arrivals of the schedule (exact for even spacing, up to rounding up). */
export function expectedArrivals(spec: ScheduleSpec): number {
  return segments(spec).reduce((a, s) => a + ((s.r0 + s.r1) / 2) * s.durationMs, 0);
}

/**
 * Intended start offsets, in ms from the phase start (the warm-up's start when there is one),
 * ascending. Arrival k happens when the
 * integral of the rate reaches k (even spacing, the first at 0) or the k-th point of a unit
 * Poisson process (Poisson): the same inversion serves both, and ramps.
 */
export function buildSchedule(spec: ScheduleSpec): Float64Array {
  if (!(spec.rate >= 0) || !Number.isFinite(spec.rate)) throw new RangeError(`rate must be >= 0, got ${spec.rate}`);
  if (!((spec.warmupSeconds ?? 0) >= 0)) throw new RangeError(`warmupSeconds must be >= 0, got ${spec.warmupSeconds}`);
  if (!(spec.durationSeconds >= 0)) throw new RangeError(`durationSeconds must be >= 0, got ${spec.durationSeconds}`);
  const segs = segments(spec);
  const expected = expectedArrivals(spec);
  let out = new Float64Array(Math.ceil(expected * (spec.poisson ? 1.1 : 1)) + 16);
  let n = 0;
  const rng = spec.poisson ? derive(spec.seed, 0x5c4ed) : undefined;
  // position of the next arrival on the cumulative-arrivals axis
  let next = rng ? -Math.log(1 - rng.next()) : 0;
  for (const s of segs) {
    const total = s.before + ((s.r0 + s.r1) / 2) * s.durationMs;
    const a = (s.r1 - s.r0) / (2 * s.durationMs);
    const b = s.r0;
    while (next < total) {
      const c = next - s.before;
      // solve a τ² + b τ = c for τ in the segment; this form stays exact when a is ~0
      const disc = Math.sqrt(Math.max(0, b * b + 4 * a * c));
      const tau = c <= 0 ? 0 : (2 * c) / (b + disc);
      if (n === out.length) {
        const grown = new Float64Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[n++] = s.startMs + Math.min(tau, s.durationMs);
      next = rng ? next - Math.log(1 - rng.next()) : next + 1;
    }
  }
  return out.slice(0, n);
}
