// A rendering fixture for the capacity reports: a hand-made Results of a capacity search, shaped
// like a real one. Its numbers are invented to exercise every part of the page (a harness-limited
// step, an unfinished search, a projection); they are not measurements.
import type { CapacityKnee, CapacityResult, CapacitySearch, CapacityStep, Results } from '../harness/results/types.ts';
import { addHeadroom } from '../harness/capacity/headroom.ts';
import { fixtureScenario } from './reports-fixture.ts';

const LINES = [50, 100];

function step(index: number, rate: number, p99: number, o: { achieved?: number; harnessLimited?: boolean } = {}): CapacityStep {
  const passed: Record<string, boolean> = {};
  const short = (o.achieved ?? rate) < rate * 0.95;
  for (const l of LINES) passed[String(l)] = p99 <= l && !short;
  return {
    index,
    startedAt: 1_764_400_000_000 + index * 6000,
    wallMs: 5600,
    offeredRate: rate,
    achievedRate: o.achieved ?? rate * 0.998,
    clients: Math.min(32, Math.max(4, Math.ceil(rate * 0.1))),
    maxInFlight: Math.max(32, rate),
    warmupSeconds: 1,
    windowSeconds: 4,
    writes: Math.round(rate * 4),
    errors: 0,
    dropped: 0,
    errorPct: 0,
    latencyMs: { mean: p99 / 3, p50: p99 / 4, p99, max: p99 * 1.8 },
    serviceMs: { mean: Math.min(p99, 8) / 3, p50: Math.min(p99, 8) / 4, p99: Math.min(p99, 8) },
    drift: { added: 0, consistent: true },
    harness: o.harnessLimited
      ? { loopDelayP99Ms: 35, loopDelayMaxMs: 140, cpuPct: 96, saturated: true, reason: 'harness CPU 96% of a core' }
      : { loopDelayP99Ms: 2, loopDelayMaxMs: 6, cpuPct: 30, saturated: false },
    pool: { busyPct: 20, limited: false },
    harnessLimited: o.harnessLimited ?? false,
    causes: short ? ['throughput'] : [],
    passed,
  };
}

function knee(sloP99Ms: number, rate: number | null, failedAt: number | null, limit: CapacityKnee['limit'], detail: string, lowerBound = false): CapacityKnee {
  return { sloP99Ms, rate, failedAt, limit, detail, lowerBound };
}

function search(strategy: string, users: number, steps: CapacityStep[], knees: CapacityKnee[], status: CapacitySearch['status'] = 'done', reason?: string): CapacitySearch {
  return { strategy, users, status, ...(reason ? { reason } : {}), seed: { rows: users * 51, ms: users / 40 }, budgetMs: 60_000, usedMs: 48_000, knees, steps };
}

export function buildCapacityResults(): Results {
  const scenario = fixtureScenario();
  const capacity: CapacityResult = {
    settings: {
      users: [1000, 10_000],
      sloP99Ms: LINES,
      budgetMs: 480_000,
      startRate: 50,
      growth: 2,
      tolerance: 0.1,
      warmupSeconds: 1,
      windowSeconds: 4,
      maxRate: 100_000,
      maxClients: 32,
      maxErrorPct: 0.1,
      maxShortfallPct: 5,
      writeShare: 1,
    },
    usedMs: 452_000,
    searches: [
      search(
        'baseline',
        1000,
        [step(1, 800, 3), step(2, 1600, 4), step(3, 3200, 9), step(4, 6400, 240, { achieved: 4100, harnessLimited: true }), step(5, 6400, 210, { achieved: 4300, harnessLimited: true }), step(6, 4525, 30), step(7, 5382, 70, { harnessLimited: true }), step(8, 5382, 64, { harnessLimited: true })],
        [
          knee(50, 4525, 5382, 'harness', 'the harness may have caused the failure (harness CPU 96% of a core) at 5,382/s: write p99 70 ms > 50 ms', true),
          knee(100, 5382, 6400, 'harness', 'the harness may have caused the failure (harness CPU 96% of a core) at 6,400/s: write p99 240 ms > 100 ms', true),
        ],
      ),
      search(
        'manual-update',
        1000,
        [step(1, 800, 6), step(2, 1600, 180, { achieved: 1390 }), step(3, 1600, 175, { achieved: 1400 }), step(4, 1131, 22), step(5, 1345, 48), step(6, 1467, 95), step(7, 1405, 60)],
        [knee(50, 1345, 1405, 'latency', 'at 1,405/s: write p99 60 ms > 50 ms'), knee(100, 1467, 1600, 'latency', 'at 1,600/s: write p99 180 ms > 100 ms, achieved 1,390/s')],
      ),
      search(
        'trigger-upsert',
        1000,
        [step(1, 800, 4), step(2, 1600, 6), step(3, 3200, 85), step(4, 3200, 80), step(5, 2263, 12), step(6, 2691, 41), step(7, 2934, 62)],
        [knee(50, 2691, 2934, 'latency', 'at 2,934/s: write p99 62 ms > 50 ms'), knee(100, 3200, null, 'budget', "the search's share of the budget ran out with 3,200/s passing", true)],
        'unfinished',
        "its share of the budget ran out: each knee is the best passing rate so far",
      ),
      search('baseline', 10_000, [step(1, 800, 4), step(2, 1600, 5), step(3, 3200, 12), step(4, 6400, 300, { achieved: 3900 }), step(5, 6400, 280, { achieved: 3950 }), step(6, 4525, 44), step(7, 5382, 90), step(8, 5382, 85)], [
        knee(50, 4525, 5382, 'latency', 'at 5,382/s: write p99 90 ms > 50 ms'),
        knee(100, 5382, 6400, 'latency', 'at 6,400/s: write p99 300 ms > 100 ms, achieved 3,900/s'),
      ]),
      search('manual-update', 10_000, [step(1, 800, 9), step(2, 1600, 400, { achieved: 1100 }), step(3, 1600, 390, { achieved: 1120 }), step(4, 1131, 70), step(5, 1131, 66), step(6, 951, 30), step(7, 1037, 52)], [
        knee(50, 951, 1037, 'latency', 'at 1,037/s: write p99 52 ms > 50 ms'),
        knee(100, 1131, 1600, 'latency', 'at 1,600/s: write p99 400 ms > 100 ms, achieved 1,100/s'),
      ]),
      search('trigger-upsert', 10_000, [], [knee(50, null, null, 'not-measured', 'no step was measured'), knee(100, null, null, 'not-measured', 'no step was measured')], 'not-started', 'the budget ran out before this search could begin'),
    ],
  };
  addHeadroom(capacity, { users: 2000, writesPerUserPerDay: 40, peakToAverage: 4 }, ['baseline', 'manual-update', 'trigger-upsert']);
  const ids = ['baseline', 'manual-update', 'trigger-upsert'];
  return {
    schemaVersion: 1,
    run: {
      id: '20261129-120000-cafe',
      startedAt: '2026-11-29T12:00:00.000Z',
      finishedAt: '2026-11-29T12:07:40.000Z',
      scenario: { ...scenario, name: 'capacity', strategies: ids, mix: { write: 100, read: 0, delete: 0 } },
      environment: { postgres: { version: 'PostgreSQL 15.20 on x86_64-pc-linux-gnu' }, node: 'v20.20.2', os: 'Linux', cpus: 2, memoryBytes: 8 * 1024 ** 3, target: 'url' },
      thresholds: [],
    },
    strategies: ids.map((id) => ({ id, title: id, origin: 'fixture', status: 'ok' as const, counters: [], ops: {} })),
    capacity,
  };
}
