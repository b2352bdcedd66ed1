import { describe, it, expect } from 'vitest';
import { buildSchedule, expectedArrivals } from '../harness/load/schedule.ts';

function ascending(s: Float64Array): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] < s[i - 1]) return false;
  return true;
}

function countIn(s: Float64Array, fromMs: number, toMs: number): number {
  let n = 0;
  for (const t of s) if (t >= fromMs && t < toMs) n++;
  return n;
}

describe('open-model arrival schedule', () => {
  it('constant rate: exact count, even spacing, first arrival at 0', () => {
    const s = buildSchedule({ rate: 200, durationSeconds: 3, seed: 1 });
    expect(s.length).toBe(600);
    expect(s[0]).toBe(0);
    for (let i = 1; i < s.length; i++) expect(s[i] - s[i - 1]).toBeCloseTo(5, 9);
    expect(s[s.length - 1]).toBeLessThan(3000);
    for (let sec = 0; sec < 3; sec++) expect(countIn(s, sec * 1000, (sec + 1) * 1000)).toBe(200);
  });

  it('is the same for the same spec, so every strategy gets the same arrivals', () => {
    const a = buildSchedule({ rate: 500, durationSeconds: 2, seed: 9, poisson: true });
    const b = buildSchedule({ rate: 500, durationSeconds: 2, seed: 9, poisson: true });
    expect(Array.from(a)).toEqual(Array.from(b));
    const c = buildSchedule({ rate: 500, durationSeconds: 2, seed: 10, poisson: true });
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('poisson holds the rate on average with exponential gaps', () => {
    const s = buildSchedule({ rate: 1000, durationSeconds: 20, seed: 3, poisson: true });
    expect(ascending(s)).toBe(true);
    // 20000 expected, sd ~ 141
    expect(Math.abs(s.length - 20_000)).toBeLessThan(5 * 141);
    const gaps: number[] = [];
    for (let i = 1; i < s.length; i++) gaps.push(s[i] - s[i - 1]);
    const mean = gaps.reduce((a, g) => a + g, 0) / gaps.length;
    expect(mean).toBeCloseTo(1, 1);
    // exponential: the share of gaps above the mean is e^-1
    const above = gaps.filter((g) => g > 1).length / gaps.length;
    expect(Math.abs(above - Math.exp(-1))).toBeLessThan(0.02);
  });

  it('stages ramp the rate linearly, then the last target holds', () => {
    // 0 → 1000/s over 2 s, then 1000/s for the remaining 2 s
    const spec = { rate: 0, durationSeconds: 4, stages: [{ durationSeconds: 2, target: 1000 }], seed: 1 };
    const s = buildSchedule(spec);
    expect(ascending(s)).toBe(true);
    expect(expectedArrivals(spec)).toBeCloseTo(1000 + 2000, 6);
    expect(s.length).toBe(3000);
    // arrivals by t in the ramp: 1000/s at 2 s means 250 t^2 (t in s)
    expect(countIn(s, 0, 1000)).toBeGreaterThanOrEqual(249);
    expect(countIn(s, 0, 1000)).toBeLessThanOrEqual(251);
    expect(Math.abs(countIn(s, 1000, 2000) - 750)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(s, 2000, 3000) - 1000)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(s, 3000, 4000) - 1000)).toBeLessThanOrEqual(1);
    // the spacing shrinks along the ramp
    expect(s[11] - s[10]).toBeGreaterThan(s[1001] - s[1000]);
  });

  it('ramps down too, from the start rate', () => {
    const s = buildSchedule({ rate: 400, durationSeconds: 2, stages: [{ durationSeconds: 2, target: 0 }], seed: 1 });
    expect(Math.abs(s.length - 400)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(s, 0, 1000) - 300)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(s, 1000, 2000) - 100)).toBeLessThanOrEqual(1);
  });

  it('a warm-up at the start rate comes first, and the stages start after it', () => {
    const s = buildSchedule({ rate: 100, warmupSeconds: 1, durationSeconds: 2, stages: [{ durationSeconds: 1, target: 300 }], seed: 1 });
    expect(countIn(s, 0, 1000)).toBe(100);
    expect(Math.abs(countIn(s, 1000, 2000) - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(s, 2000, 3000) - 300)).toBeLessThanOrEqual(1);
    expect(s[s.length - 1]).toBeLessThan(3000);
  });

  it('stages longer than the phase are cut at its end', () => {
    const s = buildSchedule({ rate: 0, durationSeconds: 1, stages: [{ durationSeconds: 2, target: 2000 }], seed: 1 });
    // the first second of a 0 → 2000/s ramp over 2 s: 500 arrivals
    expect(Math.abs(s.length - 500)).toBeLessThanOrEqual(1);
  });
});
