// The search, the verdict of a step and the planner's figures on known curves: a model server
// whose p99 is a function of the offered rate stands in for the measurement, so each assertion
// has one right answer. The real thing, against Postgres, is capacity-knee.test.ts.
import { describe, expect, it } from 'vitest';
import { bracket, kneeOf, nextRate, searchKnees, type SearchPlan } from '../harness/capacity/search.ts';
import { judgeStep, type StepMeasurement } from '../harness/capacity/verdict.ts';
import { crossingUsers, kneeAt, peakWritesPerUserPerSecond } from '../harness/capacity/headroom.ts';
import { Budget, SearchClock } from '../harness/capacity/budget.ts';
import type { CapacityStep, LatencySummary } from '../harness/results/types.ts';

const PLAN: SearchPlan = { sloP99Ms: [50, 100], startRate: 50, growth: 2, tolerance: 0.1, maxRate: 100_000 };
const QUIET = { loopDelayP99Ms: 1, loopDelayMaxMs: 2, cpuPct: 10, saturated: false };

function lat(p99: number): LatencySummary {
  return { mean: p99 / 3, p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2 };
}

/** A step as the driver would report it: `rate` offered, writes only. */
function measured(rate: number, p99: number, o: Partial<{ achieved: number; errors: number; dropped: number; serviceMs: number; clients: number; harness: StepMeasurement['harness']; driftAdded: number }> = {}): StepMeasurement {
  const count = Math.round(rate * 4) - (o.errors ?? 0);
  return {
    startedAt: 0,
    wallMs: 5000,
    offeredRate: rate,
    clients: o.clients ?? 32,
    maxInFlight: Math.max(32, rate),
    warmupSeconds: 1,
    windowSeconds: 4,
    ops: {
      write: {
        count,
        errors: o.errors ?? 0,
        ...(o.dropped ? { dropped: o.dropped } : {}),
        throughput: o.achieved ?? rate,
        latencyMs: lat(p99),
        serviceTimeMs: { ...lat(o.serviceMs ?? p99), mean: o.serviceMs ?? p99 / 3 },
      },
    },
    harness: o.harness ?? QUIET,
    drift: o.driftAdded === undefined ? null : { added: o.driftAdded, consistent: o.driftAdded === 0 },
  };
}

/** A model server with capacity `knee`: p99 5 ms below it, growing steeply above it. */
function hockey(knee: number) {
  return (rate: number) => (rate <= knee ? 5 : 5 + (rate - knee) * 10);
}

async function search(p99At: (rate: number) => number, plan = PLAN, extra: (rate: number, i: number) => Partial<Parameters<typeof measured>[2]> = () => ({})) {
  const rates: number[] = [];
  const out = await searchKnees(plan, {
    aborted: () => false,
    canStep: () => true,
    measure: async (rate) => {
      rates.push(rate);
      const i = rates.length;
      return judgeStep(measured(rate, p99At(rate), extra(rate, i)), { index: i, sloP99Ms: plan.sloP99Ms, lowestServiceMs: 1 });
    },
  });
  return { ...out, rates };
}

describe('the verdict of one step', () => {
  it('fails a line on latency only above that line', () => {
    const s = judgeStep(measured(100, 70), { index: 1, sloP99Ms: [50, 100], lowestServiceMs: 70 });
    expect(s.passed).toEqual({ '50': false, '100': true });
    expect(s.causes).toEqual([]);
  });

  it('errors, drops, a shortfall and drift fail every line', () => {
    const judge = (m: StepMeasurement) => judgeStep(m, { index: 1, sloP99Ms: [50, 100], lowestServiceMs: 1 });
    expect(judge(measured(1000, 5, { errors: 5 })).causes).toEqual(['errors']); // 5 of 4000: 0.125%
    expect(judge(measured(1000, 5, { errors: 3 })).causes).toEqual([]); // 0.075%
    expect(judge(measured(1000, 5, { errors: 10, dropped: 10 })).causes).toEqual(['drops']);
    expect(judge(measured(1000, 5, { achieved: 940 })).causes).toEqual(['throughput']);
    expect(judge(measured(1000, 5, { achieved: 960 })).causes).toEqual([]);
    expect(judge(measured(1000, 5, { driftAdded: 1 })).causes).toEqual(['drift']);
    const s = judge(measured(1000, 5, { driftAdded: 2, errors: 40 }));
    expect(s.passed).toEqual({ '50': false, '100': false });
  });

  it('blames the harness only where it can account for the failure', () => {
    const judge = (m: StepMeasurement) => judgeStep(m, { index: 1, sloP99Ms: [50], lowestServiceMs: 1 });
    // a 40 ms stall (and the backlog behind it) can account for a p99 of 120 ms against a 50 ms
    // line; not for one of 500 ms
    expect(judge(measured(100, 120, { harness: { ...QUIET, loopDelayMaxMs: 40 } })).harnessLimited).toBe(true);
    expect(judge(measured(100, 140, { harness: { ...QUIET, loopDelayMaxMs: 40 } })).harnessLimited).toBe(false);
    expect(judge(measured(100, 500, { harness: { ...QUIET, loopDelayMaxMs: 40, loopDelayP99Ms: 30, saturated: true } })).harnessLimited).toBe(false);
    // a harness using a whole core is the bottleneck whatever the figures
    expect(judge(measured(100, 500, { harness: { ...QUIET, cpuPct: 95, saturated: true } })).harnessLimited).toBe(true);
    // errors are the server's answer, not the harness's lateness
    expect(judge(measured(1000, 5, { errors: 100, harness: { ...QUIET, loopDelayMaxMs: 400 } })).harnessLimited).toBe(false);
    // a step that passed was not limited by anything
    expect(judge(measured(100, 5, { harness: { ...QUIET, cpuPct: 95, saturated: true } })).harnessLimited).toBe(false);
    // 4000/s x 2 ms = 8 connections busy of 8: the pool, not the server (service as at low load)
    const pool = judgeStep(measured(4000, 80, { clients: 8, serviceMs: 2 }), { index: 1, sloP99Ms: [50], lowestServiceMs: 1.5 });
    expect(pool.pool).toEqual({ busyPct: 100, limited: true });
    expect(pool.harnessLimited).toBe(true);
    // the same busy pool with service ten times slower than at low load: the server
    const server = judgeStep(measured(400, 80, { clients: 8, serviceMs: 20 }), { index: 1, sloP99Ms: [50], lowestServiceMs: 2 });
    expect(server.pool.limited).toBe(false);
    expect(server.harnessLimited).toBe(false);
  });
});

describe('the search', () => {
  it('steps up geometrically, then bisects to within the tolerance, for each line', async () => {
    const r = await search(hockey(1000));
    expect(r.status).toBe('done');
    expect(r.rates.slice(0, 6)).toEqual([50, 100, 200, 400, 800, 1600]);
    for (const k of r.knees) {
      expect(k.rate).not.toBeNull();
      expect(k.failedAt! / k.rate!).toBeLessThanOrEqual(1.1);
      expect(k.rate!).toBeLessThanOrEqual(1100);
      expect(k.rate!).toBeGreaterThanOrEqual(1000 / 1.1);
      expect(k.limit).toBe('latency');
      expect(k.lowerBound).toBe(false);
    }
    // the 100 ms line sits higher on the curve: its knee is at or above the 50 ms one's
    expect(r.knees[1].rate!).toBeGreaterThanOrEqual(r.knees[0].rate!);
    // every failure was confirmed by a second step at the same rate
    for (const rate of new Set(r.steps.filter((s) => !s.passed['50']).map((s) => s.offeredRate))) {
      expect(r.rates.filter((x) => x === rate).length).toBe(2);
    }
  });

  it('a failure the second step does not confirm is noise: the rate passes', async () => {
    // the first step at 400/s hits a stall; the retest at 400/s is clean
    const r = await search(hockey(1000));
    const noisy = await searchKnees(PLAN, {
      aborted: () => false,
      canStep: () => true,
      measure: (() => {
        let n = 0;
        let stalled = false;
        return async (rate: number) => {
          n++;
          const stall = rate === 400 && !stalled;
          if (stall) stalled = true;
          return judgeStep(measured(rate, stall ? 500 : hockey(1000)(rate)), { index: n, sloP99Ms: PLAN.sloP99Ms, lowestServiceMs: 1 });
        };
      })(),
    });
    expect(noisy.knees.map((k) => k.rate)).toEqual(r.knees.map((k) => k.rate));
    expect(noisy.steps.filter((s) => s.offeredRate === 400).map((s) => s.passed['50'])).toEqual([false, true]);
  });

  it('a line is taken up again when a later line shows its failure was noise', async () => {
    // a bump at 100/s fails the 50 ms line (confirmed), but the 100 ms line's steps pass 50 ms at
    // 200/s and beyond: the server that met it there meets it at 100/s
    const r = await search((rate) => (rate === 100 ? 70 : hockey(1000)(rate)));
    expect(r.status).toBe('done');
    expect(r.knees[0].rate!).toBeGreaterThanOrEqual(1000 / 1.1);
    expect(r.knees[0].failedAt! / r.knees[0].rate!).toBeLessThanOrEqual(1.1);
  });

  it('names the harness when it limited the failing step, and calls the knee a lower bound', async () => {
    const r = await search(hockey(1000), { ...PLAN, sloP99Ms: [50] }, (rate) => (rate > 1000 ? { harness: { ...QUIET, saturated: true, cpuPct: 95 } } : {}));
    expect(r.knees[0].limit).toBe('harness');
    expect(r.knees[0].lowerBound).toBe(true);
    expect(r.knees[0].detail).toContain('harness CPU 95% of a core');
  });

  it('names drift, errors and a shortfall before latency', async () => {
    const drift = await search(() => 5, { ...PLAN, sloP99Ms: [50] }, (rate) => (rate >= 400 ? { driftAdded: 3 } : { driftAdded: 0 }));
    expect(drift.knees[0]).toMatchObject({ failedAt: 400, limit: 'drift' });
    expect(drift.knees[0].rate!).toBeGreaterThanOrEqual(400 / 1.1);
    const errors = await search(hockey(1000), { ...PLAN, sloP99Ms: [50] }, (rate) => (rate >= 800 ? { errors: 100 } : {}));
    expect(errors.knees[0]).toMatchObject({ limit: 'errors' });
    expect(errors.knees[0].failedAt! / errors.knees[0].rate!).toBeLessThanOrEqual(1.1);
  });

  it('fails from the start: comes down until a step passes', async () => {
    const r = await search(hockey(20), { ...PLAN, sloP99Ms: [50] });
    expect(r.rates[0]).toBe(50);
    expect(r.knees[0].rate!).toBeLessThanOrEqual(25);
    expect(r.knees[0].rate!).toBeGreaterThanOrEqual(20 / 1.1);
  });

  it('stops at the ceiling, a lower bound', async () => {
    const r = await search(() => 5, { ...PLAN, maxRate: 300 });
    expect(r.rates).toEqual([50, 100, 200, 300]);
    expect(r.knees[0]).toMatchObject({ rate: 300, failedAt: null, limit: 'max-rate', lowerBound: true });
  });

  it('out of budget: unfinished, with the best passing rate as a lower bound', async () => {
    let n = 0;
    const r = await searchKnees(PLAN, {
      aborted: () => false,
      canStep: () => n < 7,
      measure: async (rate) => judgeStep(measured(rate, hockey(1000)(rate)), { index: ++n, sloP99Ms: PLAN.sloP99Ms, lowestServiceMs: 1 }),
    });
    expect(r.status).toBe('unfinished');
    expect(r.knees[0]).toMatchObject({ rate: 800, failedAt: 1600, limit: 'budget', lowerBound: true });
    expect(r.knees[0].detail).toMatch(/budget ran out with 800\/s passing; the first failure so far, at 1,600\/s/);
  });

  it('interrupted during a step: that step is not judged, the ones before are kept', async () => {
    let n = 0;
    let stop = false;
    const r = await searchKnees(PLAN, {
      aborted: () => stop,
      canStep: () => true,
      measure: async (rate) => {
        if (++n === 3) stop = true;
        return judgeStep(measured(rate, 5), { index: n, sloP99Ms: PLAN.sloP99Ms, lowestServiceMs: 1 });
      },
    });
    expect(r.status).toBe('interrupted');
    expect(r.steps.map((s) => s.offeredRate)).toEqual([50, 100]);
    expect(r.knees[0]).toMatchObject({ rate: 100, limit: 'interrupted', lowerBound: true });
  });

  it('brackets and next rates', () => {
    const step = (rate: number, ok: boolean): CapacityStep => judgeStep(measured(rate, ok ? 5 : 500), { index: 1, sloP99Ms: [50], lowestServiceMs: 1 });
    const b = bracket([step(50, true), step(100, true), step(200, false)], 50);
    expect([b.lo?.offeredRate, b.hi?.offeredRate]).toEqual([100, 200]);
    expect(nextRate(b, PLAN)).toBe(141);
    expect(nextRate(bracket([step(100, true), step(105, false)], 50), PLAN)).toBeUndefined();
    // a pass above a failure shows the failure was noise: the server that met the line at 200/s
    // meets it at 100/s
    const noisy = bracket([step(100, false), step(100, false), step(200, true), step(400, false)], 50);
    expect([noisy.lo?.offeredRate, noisy.hi?.offeredRate]).toEqual([200, 400]);
    expect(kneeOf([], 50, 'done', PLAN).limit).toBe('not-measured');
  });
});

describe('the budget', () => {
  it('shares what is left over the searches to come, after the later deployments', () => {
    let now = 0;
    const b = new Budget(600_000, () => now);
    expect(b.share(6, 0)).toBe(100_000);
    now = 100_000;
    expect(b.share(4, 100_000)).toBe(100_000);
    const c = new SearchClock(20_000, 5000, b, () => now);
    expect(c.canStep()).toBe(true); // 5 s + the first guess at the overhead
    now += 12_000;
    c.stepTook(6000);
    expect(c.nextStepMs()).toBe(6000);
    expect(c.canStep()).toBe(true); // 12 + 6 <= 20
    now += 3000;
    expect(c.canStep()).toBe(false); // 15 + 6 > 20
  });
});

describe('headroom for a workload profile', () => {
  it('turns writes per user per day and the peak factor into a peak per second', () => {
    expect(peakWritesPerUserPerSecond({ users: 1000, writesPerUserPerDay: 86_400, peakToAverage: 3 })).toBe(3);
    expect(peakWritesPerUserPerSecond({ users: 1000, peakWritesPerUserPerSecond: 0.2 })).toBe(0.2);
  });

  const points = [
    { users: 1000, writes: 4000, lowerBound: false },
    { users: 10_000, writes: 2000, lowerBound: false },
  ];

  it('reads a knee between measured sizes as interpolated, outside them as projected', () => {
    expect(kneeAt(points, 1000)).toEqual({ writes: 4000, basis: 'measured', lowerBound: false });
    const mid = kneeAt(points, Math.sqrt(1000 * 10_000))!;
    expect(mid.basis).toBe('interpolated');
    expect(mid.writes).toBeCloseTo(Math.sqrt(4000 * 2000), 6);
    expect(kneeAt(points, 500)).toMatchObject({ writes: 4000, basis: 'projected' });
    const far = kneeAt(points, 100_000)!;
    expect(far.basis).toBe('projected');
    expect(far.writes).toBeCloseTo(1000, 6); // the same slope: halved per decade
  });

  it('finds where the peak meets the knee, and says how', () => {
    // 0.1 writes/user/s: peak 100/s at 1K, 1000/s at 10K; the knee goes on halving per decade
    const beyond = crossingUsers(points, 0.1)!;
    expect(beyond.basis).toBe('projected');
    expect(beyond.users * 0.1).toBeCloseTo(kneeAt(points, beyond.users)!.writes, 3);
    // 1 write/user/s: 1000/s at 1K (under 4000), 10000/s at 10K (over 2000): between them
    const between = crossingUsers(points, 1)!;
    expect(between.basis).toBe('interpolated');
    expect(between.users).toBeGreaterThan(1000);
    expect(between.users).toBeLessThan(10_000);
    expect(between.users).toBeCloseTo(kneeAt(points, between.users)!.writes, 3);
    // already over the knee at the smallest size
    expect(crossingUsers(points, 10)).toMatchObject({ users: 400, basis: 'projected' });
    // a lower-bound knee makes a lower-bound crossing
    expect(crossingUsers([{ ...points[0], lowerBound: true }, points[1]], 1)!.lowerBound).toBe(true);
  });
});
