// A rendering fixture: a hand-made Results object shaped like a real run, for the report tests.
// Its numbers are invented to exercise every section of the reports; they are not measurements.
import type { Scenario } from '../harness/config/types.ts';
import type {
  DriftSample,
  LatencySummary,
  OpResult,
  Results,
  SeriesPoint,
  StrategyResult,
} from '../harness/results/types.ts';

export function fixtureScenario(): Scenario {
  return {
    name: 'fixture',
    description: 'rendering fixture, not a measurement',
    strategies: ['baseline', 'manual-update', 'trigger-upsert', 'production-trigger', 'materialized-view', 'generated-column', 'count-star', 'redis-queue'],
    data: { users: 2000, sessionsPerUser: 2, answersPerUser: 50, answersSkew: 0 },
    load: { kind: 'closed', clients: 8, thinkTimeMs: 0 },
    phases: { warmupSeconds: 2, durationSeconds: 10, stages: [] },
    mix: { write: 0.7, read: 0.25, delete: 0.05 },
    keys: { kind: 'zipfian', exponent: 1.1 },
    rounds: 2,
    seed: 42,
    thresholds: [],
    faults: [],
    options: {
      mvRefreshIntervalMs: 2000,
      mvRefreshConcurrently: false,
      redisSyncIntervalMs: 1000,
      drainTimeoutMs: 10_000,
      driftSampleIntervalMs: 500,
      maxRetries: 3,
    },
  };
}

function lat(p50: number): LatencySummary {
  return { mean: p50 * 1.2, p50, p95: p50 * 2.5, p99: p50 * 4, p999: p50 * 9, max: p50 * 20 };
}

function op(count: number, p50: number, errors = 0, errorsByKind?: Record<string, number>): OpResult {
  return {
    count,
    errors,
    attempts: count + errors,
    retries: 0,
    ...(errorsByKind ? { errorsByKind } : {}),
    throughput: count / 10,
    latencyMs: lat(p50),
    // the fixture's load is closed: latency is service time
    serviceTimeMs: lat(p50),
  };
}

/** Ten seconds of writes and reads; `stalled` seconds completed nothing (count 0, no latency),
 *  and the second after them carries the operations caught in the stall. */
function series(base: number, p50: number, stalled: number[] = []): SeriesPoint[] {
  const pts: SeriesPoint[] = [];
  for (let t = 0; t < 10; t++) {
    if (stalled.includes(t)) {
      pts.push({ t, op: 'write', count: 0, errors: 0, p50: null, p99: null });
      pts.push({ t, op: 'read', count: 0, errors: 0, p50: null, p99: null });
      continue;
    }
    const after = stalled.includes(t - 1);
    pts.push({ t, op: 'write', count: Math.round(base * (0.9 + 0.02 * t)), errors: 0, p50, p99: after ? 1900 : p50 * 4 });
    pts.push({ t, op: 'read', count: Math.round(base * 0.35), errors: 0, p50: p50 * 0.8, p99: after ? 1800 : p50 * 3 });
  }
  return pts;
}

function timeline(name: string, shape: (tMs: number) => number): DriftSample[] {
  const out: DriftSample[] = [];
  for (let tMs = 0; tMs <= 12_000; tMs += 500) {
    out.push({ tMs, phase: tMs <= 10_000 ? 'load' : 'drain', drift: { [name]: shape(tMs) } });
  }
  return out;
}

const LIFETIME = 'user_stats.total_answers_lifetime';
const SESSION = 'onboarding_sessions.questions_answered';

function exactDrift(names: string[]) {
  return {
    consistent: true,
    convergeMs: 0,
    counters: names.map((name) => ({
      name,
      scope: name.startsWith('onboarding') ? ('session' as const) : ('user' as const),
      usersChecked: 2000,
      usersInconsistent: 0,
      consistencyPct: 100,
      lost: 0,
      extra: 0,
      maxAbsDrift: 0,
      examples: [],
    })),
    timeline: [],
  };
}

function strategy(partial: Partial<StrategyResult> & Pick<StrategyResult, 'id' | 'title'>): StrategyResult {
  return { origin: 'seed', status: 'ok', counters: [], ops: {}, ...partial };
}

/** A full run of every strategy; pass a function to adjust it. */
export function buildResults(adjust?: (r: Results) => void): Results {
  const r: Results = {
    schemaVersion: 1,
    run: {
      id: 'fixture-run',
      startedAt: '2025-01-01T10:00:00.000Z',
      finishedAt: '2025-01-01T10:05:00.000Z',
      scenario: fixtureScenario(),
      environment: {
        postgres: { version: 'PostgreSQL 17.2 (fixture)', settings: { shared_buffers: '128MB', synchronous_commit: 'on' } },
        redis: { version: '7.0.15' },
        node: 'v20.19.0',
        os: 'linux 6.1 x64',
        cpus: 2,
        memoryBytes: 24 * 1024 ** 3,
        target: 'embedded',
      },
      thresholds: [{ expression: 'ops.write.latencyMs.p99 < 50', strategy: 'trigger-upsert', actual: 2.4, passed: true }],
    },
    strategies: [
      strategy({
        id: 'baseline', title: 'Bare INSERT, no counter', origin: 'beyond the seed',
        ops: { write: op(8000, 0.4), read: op(2800, 0.2) },
        series: series(800, 0.4),
        server: { walBytesPerWrite: 310, deadTuplesPerWrite: 0, lockWaits: 0 },
        rounds: [{ round: 1, ops: { write: op(4000, 0.39) } }, { round: 2, ops: { write: op(4000, 0.41) } }],
        vsBaseline: { writeLatencyRatio: 1, writeThroughputRatio: 1 },
      }),
      strategy({
        id: 'manual-update', title: 'Manual UPDATE after INSERT', counters: [SESSION],
        ops: { write: op(7000, 0.5), read: op(2500, 0.2) },
        series: series(700, 0.5),
        drift: exactDrift([SESSION]),
        server: { walBytesPerWrite: 520, deadTuplesPerWrite: 1, lockWaits: 3 },
        vsBaseline: { writeLatencyRatio: 1.25, writeThroughputRatio: 0.88 },
      }),
      strategy({
        id: 'trigger-upsert', title: 'Trigger + UPSERT (Migration 004)', counters: [LIFETIME],
        ops: { write: op(6000, 0.6), read: op(2000, 0.15) },
        series: series(600, 0.6),
        drift: {
          ...exactDrift([LIFETIME]),
          reads: { judged: 2000, below: 0, above: 0, outOfBoundsPct: 0, maxBelowBy: 0, maxAboveBy: 0, staleMs: null },
        },
        // shaped like harness/measure/server.ts ServerCost: nested records, lists, notes
        server: {
          walBytesPerWrite: 640,
          deadTuplesPerWrite: 1,
          walFpiPerWrite: 0.02,
          buffersPerOp: 14,
          lockWaits: { applicationNamePrefix: 'counterbench', intervalMs: 25, samples: 400, durationMs: 10_000, activeBackendSamples: 2400, locks: { tuple: { samples: 5, ms: 125 } }, lockWaitSamples: 5, lockWaitMs: 125, waitEvents: {}, errors: 0 },
          spanMs: 10_050,
          ops: { writes: 6000, reads: 2000, deletes: 0 },
          wal: { source: 'pg_stat_wal', bytes: 3_840_000, fpi: 120, records: 18_000, lsnBytes: 3_900_000 },
          database: { blksHit: 120_000, blksRead: 40, hitRatio: 0.9997, xactCommit: 8000, xactRollback: 0, deadlocks: 0, tempBytes: 0, blkReadTimeMs: 0, blkWriteTimeMs: 0 },
          checkpoints: { source: 'pg_stat_checkpointer', count: 0, timed: 0, requested: 0, buffersWritten: 0, buffersClean: 0 },
          totals: { inserts: 6000, updates: 6000, hotUpdates: 5800, nonHotUpdates: 200, deletes: 0, autovacuumRuns: 1, autoanalyzeRuns: 1, tableBytesGrowth: 819_200, indexesBytesGrowth: 262_144 },
          tables: [{ name: 'user_stats', inserts: 0, updates: 6000 }],
          statements: {
            available: true,
            changed: 4,
            evictionSuspected: false,
            top: [
              { queryid: '1', query: 'INSERT INTO user_answers_new (session_id, question_json_id, raw_answer) VALUES ($1, $2, $3)', calls: 6000, totalExecMs: 3000, meanExecMs: 0.5, rows: 6000, walBytes: 3_000_000 },
              { queryid: '2', query: 'SELECT total_answers_lifetime FROM user_stats WHERE user_id = $1', calls: 2000, totalExecMs: 200, meanExecMs: 0.1, rows: 2000, walBytes: 0 },
            ],
          },
          notes: ['statistics settled 120 ms after the phase'],
        },
        vsBaseline: { writeLatencyRatio: 1.5, writeThroughputRatio: 0.75 },
      }),
      strategy({
        id: 'production-trigger', title: 'Migration 007 trigger', counters: [LIFETIME, SESSION],
        ops: { write: op(5800, 0.65, 2, { '40': 2 }), read: op(1900, 0.15) },
        series: series(580, 0.65),
        drift: {
          consistent: false,
          convergeMs: null,
          counters: [
            { name: LIFETIME, scope: 'user', usersChecked: 2000, usersInconsistent: 37, consistencyPct: 98.15, lost: 41, extra: 0, maxAbsDrift: 3, examples: [{ key: 7, counter: 49, truth: 52 }] },
            { name: SESSION, scope: 'session', usersChecked: 4000, usersInconsistent: 39, consistencyPct: 99.03, lost: 41, extra: 0, maxAbsDrift: 3, examples: [] },
          ],
          timeline: timeline(LIFETIME, (t) => -Math.round(t / 250)),
        },
        server: { walBytesPerWrite: 900, deadTuplesPerWrite: 2, lockWaits: 0 },
        vsBaseline: { writeLatencyRatio: 1.62, writeThroughputRatio: 0.72 },
      }),
      strategy({
        id: 'materialized-view', title: 'Materialized view + REFRESH', counters: [LIFETIME],
        ops: { write: op(7600, 0.42), read: op(2600, 0.3) },
        // a REFRESH that held the table for two seconds
        series: series(760, 0.42, [4, 5]),
        drift: {
          ...exactDrift([LIFETIME]),
          convergeMs: 1800,
          timeline: timeline(LIFETIME, (t) => (t > 10_000 ? 0 : Math.round((t % 2000) / 20))),
          reads: { judged: 2600, below: 900, above: 0, outOfBoundsPct: 34.62, maxBelowBy: 40, maxAboveBy: 0, staleMs: { p50: 800, p99: 1900, max: 2000, reads: 40 } },
        },
        server: {
          walBytesPerWrite: 330, deadTuplesPerWrite: 0.2, lockWaits: 12,
          mvRefresh: { count: 5, meanMs: 180, maxMs: 240 },
        },
        // where the runner puts them: epoch ms, and tMs from the measured part's start
        events: [2000, 4000, 6000, 8000, 10_000].map((t) => ({ kind: 'mv-refresh', at: 1_735_725_600_000 + t, tMs: t, durationMs: t === 4000 ? 2000 : 200 })),
        vsBaseline: { writeLatencyRatio: 1.05, writeThroughputRatio: 0.95 },
      }),
      strategy({
        id: 'generated-column', title: 'Generated column with subquery', status: 'not-deployable',
        reason: 'cannot use subquery in column generation expression', counters: [LIFETIME],
      }),
      strategy({
        id: 'count-star', title: 'COUNT(*) on read',
        ops: { write: op(7900, 0.4), read: op(300, 12) },
        series: series(790, 0.4),
        server: { walBytesPerWrite: 312 },
      }),
      strategy({
        id: 'redis-queue', title: 'Redis queue + sync', status: 'skipped',
        reason: 'no Redis: REDIS_URL is not set and no redis-server on PATH', counters: [LIFETIME],
      }),
    ],
  };
  adjust?.(r);
  return r;
}
