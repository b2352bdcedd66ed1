// The statistics core of compare, on figures measured on this machine: six rounds of the ci-gate
// scenario (write p99 ms and writes/s per round), as results.json holds them.
import { describe, expect, it } from 'vitest';
import { bootstrapMedianDifference, fiveNumbers, isTooFew, MIN_SAMPLES, seededRandom, type MedianDifference } from '../reports/compare-stats.ts';
import { median } from '../harness/run/aggregate.ts';

// manual-update, one run of ci-gate: rounds 1..6
const P99_MS = [4.783, 3.929, 3.315, 18.591, 8.407, 8.983];
const WRITES_PER_S = [2724, 2290, 2065, 802, 1745, 1222];
// trigger-upsert in the same run: the same machine, another strategy
const OTHER_WRITES_PER_S = [5399, 6978, 5164, 2407, 4862, 7708];

function decided(r: ReturnType<typeof bootstrapMedianDifference>): MedianDifference {
  if (isTooFew(r)) throw new Error('expected a decision');
  return r;
}

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // roughly uniform: each tenth holds about a tenth
    for (let d = 0; d < 10; d++) expect(xs.filter((x) => Math.floor(x * 10) === d).length).toBeGreaterThan(60);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });
});

describe('bootstrapMedianDifference', () => {
  it('finds no significant change between a sample and the same rounds in another order', () => {
    const r = decided(bootstrapMedianDifference(P99_MS, [...P99_MS].reverse()));
    expect(r.delta).toBe(0);
    expect(r.significant).toBe(false);
    expect(r.low).toBeLessThan(0);
    expect(r.high).toBeGreaterThan(0);
    expect(r.n).toEqual({ a: 6, b: 6 });
  });

  it('finds 15 ms more per write significant, with the true shift inside the interval', () => {
    const r = decided(bootstrapMedianDifference(P99_MS, P99_MS.map((x) => x + 15)));
    expect(r.delta).toBeCloseTo(15, 9);
    expect(r.confidence).toBe(0.99);
    expect(r.significant).toBe(true);
    expect(r.low).toBeGreaterThan(0);
    expect(r.low).toBeLessThanOrEqual(15);
    expect(r.high).toBeGreaterThanOrEqual(15);
  });

  it('does not call 2 ms significant on p99s that move by 15 ms between rounds', () => {
    const r = decided(bootstrapMedianDifference(P99_MS, P99_MS.map((x) => x + 2)));
    expect(r.significant).toBe(false);
    expect(r.high).toBeGreaterThan(2);
  });

  it('finds two strategies of the same run different, the direction and medians right', () => {
    const r = decided(bootstrapMedianDifference(WRITES_PER_S, OTHER_WRITES_PER_S));
    expect(r.a).toBe(median(WRITES_PER_S));
    expect(r.a).toBe((2065 + 1745) / 2);
    expect(r.b).toBe((5164 + 5399) / 2);
    expect(r.significant).toBe(true);
    expect(r.low).toBeGreaterThan(0);
  });

  it('is reproducible: the same samples give the same interval, another seed a close one', () => {
    const x = decided(bootstrapMedianDifference(WRITES_PER_S, OTHER_WRITES_PER_S));
    expect(decided(bootstrapMedianDifference(WRITES_PER_S, OTHER_WRITES_PER_S))).toEqual(x);
    const y = decided(bootstrapMedianDifference(WRITES_PER_S, OTHER_WRITES_PER_S, { seed: 7 }));
    expect(Math.abs(y.low - x.low)).toBeLessThan(0.1 * x.delta);
  });

  it('a noisy round does not make a change: one stalled round in B only', () => {
    const b = [...WRITES_PER_S];
    b[0] = 300;
    expect(decided(bootstrapMedianDifference(WRITES_PER_S, b)).significant).toBe(false);
  });

  it('says too few samples instead of guessing', () => {
    const r = bootstrapMedianDifference(P99_MS.slice(0, 1), P99_MS);
    expect(r).toEqual({ tooFew: true, n: { a: 1, b: 6 }, needs: MIN_SAMPLES });
    expect(isTooFew(bootstrapMedianDifference(P99_MS.slice(0, MIN_SAMPLES), P99_MS.slice(0, MIN_SAMPLES)))).toBe(false);
  });
});

describe('fiveNumbers', () => {
  it('gives min, quartiles, median and max', () => {
    expect(fiveNumbers([1, 2, 3, 4, 5])).toEqual({ min: 1, q1: 2, median: 3, q3: 4, max: 5 });
    expect(fiveNumbers([])).toBeNull();
  });
});
