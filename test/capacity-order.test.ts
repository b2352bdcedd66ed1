// The ordering every machine must show: manual-update's knee is below baseline's. Its write is
// the same INSERT plus three UPDATEs, each its own round trip and commit, so whatever limits the
// server (CPU, WAL flushes, the harness's own work per round trip) is reached at a lower rate.
//
// What makes the verdict hold on any machine, rather than on this one's timings:
//  - a pass is a measurement: baseline carried the rate within the line, so its capacity is at
//    least its highest passing rate, whatever else the machine did;
//  - a failure proves a ceiling only when the harness did not cause it (not saturated, and the
//    connection pool not the limit): then manual-update's capacity is below that rate;
//  - so the ordering is proven when manual-update failed, for the server's reasons, at a rate
//    baseline passed. Both see the same rates (the same start and growth) and arrivals.
// A line far above the writes' own latency (1 s) makes the knees the rates at which the server
// stops keeping up, not where a stall of this shared machine happens to land. When the evidence
// cannot decide (every failure the harness's, say), the test says so and is skipped, not passed.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capacityScenarioFromObject } from '../harness/config/scenario.ts';
import { capacity } from '../harness/capacity/capacity.ts';
import type { CapacitySearch, CapacityStep } from '../harness/results/types.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

const LINE = 1000;
const key = String(LINE);

/** Rates the strategy failed (every step at the rate), and whether the harness explains each. */
function failures(s: CapacitySearch): Array<{ rate: number; harness: boolean }> {
  const byRate = new Map<number, CapacityStep[]>();
  for (const st of s.steps) byRate.set(st.offeredRate, [...(byRate.get(st.offeredRate) ?? []), st]);
  return [...byRate]
    .filter(([, steps]) => steps.every((x) => !x.passed[key]))
    .map(([rate, steps]) => ({ rate, harness: steps.every((x) => x.harnessLimited) }));
}

const passes = (s: CapacitySearch) => s.steps.filter((x) => x.passed[key]).map((x) => x.offeredRate);

describe('capacity ordering', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-capacity-order-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("manual-update's knee is below baseline's", { timeout: 300_000 }, async (ctx) => {
    const scenario = capacityScenarioFromObject({
      kind: 'capacity',
      name: 'order',
      strategies: ['manual-update'],
      data: { sessionsPerUser: 1, answersPerUser: 5 },
      keys: { distribution: 'uniform' },
      capacity: {
        users: [1000],
        sloP99: [LINE],
        budget: '4m',
        startRate: 100,
        growth: 2,
        // the ordering needs a failure below a pass, not a knee to 10%
        tolerance: 0.9,
        warmup: '500ms',
        window: '2s',
        maxRate: 51_200,
      },
    });
    const { results } = await capacity({ scenario, outDir: out, databaseUrl: testDatabaseUrl(), namespace: uniqueTag() });
    const [base, manual] = ['baseline', 'manual-update'].map((id) => results.capacity!.searches.find((s) => s.strategy === id)!);
    for (const s of [base, manual]) expect(s.steps.length, s.strategy).toBeGreaterThan(0);
    const trace = [base, manual]
      .map((s) => `${s.strategy}: ${s.steps.map((x) => `${x.offeredRate}/s ${x.passed[key] ? 'pass' : 'FAIL'}${x.harnessLimited ? ' (harness)' : ''}`).join(', ')}`)
      .join('; ');

    // refuted: manual-update passed a rate at which baseline failed for the server's reasons
    const baseRealFailures = failures(base).filter((f) => !f.harness).map((f) => f.rate);
    const refuting = passes(manual).filter((r) => baseRealFailures.some((f) => f <= r));
    expect(refuting, `manual-update passed where baseline failed: ${trace}`).toEqual([]);

    // proven: manual-update failed for the server's reasons at a rate baseline passed
    const manualRealFailures = failures(manual).filter((f) => !f.harness).map((f) => f.rate);
    const proof = manualRealFailures.find((r) => passes(base).some((p) => p >= r));
    if (proof === undefined) {
      console.warn(`capacity-order: the measurements cannot decide the ordering on this machine now: ${trace}`);
      ctx.skip(`undecided: no failure of manual-update the harness did not cause, at a rate baseline passed (${trace})`);
    }
    const kb = base.knees[0];
    const km = manual.knees[0];
    expect(km.rate ?? 0, trace).toBeLessThan(proof!);
    // the knees say the same: manual-update's is below baseline's (or baseline's a lower bound above it)
    expect(km.rate ?? 0, trace).toBeLessThan(kb.rate!);
  });
});
