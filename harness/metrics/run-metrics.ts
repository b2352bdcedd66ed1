// A run's /metrics (run --metrics-port): the analysis's four metrics and counterbench's own,
// labelled by strategy, read from what the run measures anyway. Nothing here runs per
// operation: the insert histogram and the operation counts are read from the load's own HDR
// histograms and counts when Prometheus scrapes (the progress tick hands them over every 500 ms,
// and the exact figures at the end of each turn); drift comes from the drift sampler's samples
// and the exact check, lock waits from the lock sampler, job lag from the jobs' own events.
//
// Every value is cumulative over the run's turns of a strategy (rounds add up), and covers the
// measured part of each turn (warm-up excluded), as results.json does.
import { Counter, Histogram, Registry } from 'prom-client';
import type { CounterDrift, DriftSample, OpName } from '../results/types.ts';
import type { JobEvent } from '../strategies/types.ts';
import type { LatencyRecorder } from '../measure/histogram.ts';
import { addLiveOps, emptyLiveOps, type LiveOps } from '../load/phase-result.ts';
import { ANALYSIS_METRICS, INSERT_BUCKETS, LOCK_WAIT_BUCKETS, OWN_METRICS } from './names.ts';
import { histogramSamples, registerDerived, type Sample } from './derived.ts';

const INSERT_BOUNDS_US = INSERT_BUCKETS.map((s) => Math.round(s * 1_000_000));

interface WriteFigures {
  counts: number[];
  count: number;
  sumUs: number;
}

interface CounterState {
  /** 'sample': totals against the driver's truth during the load; 'check': the exact check */
  from: 'sample' | 'check';
  inconsistent: number;
  lost: number;
  extra: number;
  drift: number;
  consistencyRate?: number;
}

interface JobState {
  lastOkEndAt?: number;
  lastDurationMs: number;
  errors: number;
}

interface StrategyState {
  /** folded from the turns that ended */
  write: WriteFigures;
  ops: LiveOps;
  /** the turn in progress, as the load's progress tick last handed it over */
  live: { write: LatencyRecorder; ops: LiveOps } | null;
  counters: Map<string, CounterState>;
  jobs: Map<string, JobState>;
  active: boolean;
  turns: number;
}

/** What one strategy's turn tells the metrics (see strategy-phase.ts). */
export interface PhaseMetrics {
  /** the load's figures so far (LiveStats.figures) */
  progress(f: { write: LatencyRecorder; ops: LiveOps }): void;
  /** the load's final figures for the turn */
  loadEnded(stats: Record<OpName, { count: number; errorsByKind: Record<string, number>; latency: LatencyRecorder }>): void;
  driftSample(s: DriftSample): void;
  lockWaitEnded(lockType: string, ms: number): void;
  jobEvent(e: JobEvent): void;
  /** the exact check at the end of the turn */
  checked(counters: CounterDrift[]): void;
  /** the turn is over, whatever happened */
  ended(): void;
}

const add = (a: WriteFigures, b: WriteFigures) => {
  b.counts.forEach((n, i) => (a.counts[i] += n));
  a.count += b.count;
  a.sumUs += b.sumUs;
};

export class RunMetrics {
  readonly registry = new Registry();
  private readonly strategies = new Map<string, StrategyState>();
  private readonly lockWait: Histogram<'strategy'>;
  private readonly lockWaitByType: Counter<'strategy' | 'locktype'>;

  constructor() {
    const r = this.registry;
    registerDerived(r, {
      name: ANALYSIS_METRICS.insertDuration,
      help: 'Answer INSERT latency with its counter work, from its intended start (the SQL load\'s HDR histogram, measured part of each turn; a load.via http turn does not feed it)',
      type: 'histogram',
      samples: () => this.each((id, s) => {
        const w = { counts: [...s.write.counts], count: s.write.count, sumUs: s.write.sumUs };
        if (s.live) add(w, s.live.write.cumulative(INSERT_BOUNDS_US));
        return histogramSamples(ANALYSIS_METRICS.insertDuration, { strategy: id }, INSERT_BUCKETS, w.counts, w.count, w.sumUs / 1e6);
      }),
    });
    this.lockWait = new Histogram({
      name: ANALYSIS_METRICS.advisoryLockWait,
      help: 'Waits of the strategy\'s backends on advisory locks, each as long as the lock sampler (every 25 ms) saw it',
      labelNames: ['strategy'],
      buckets: [...LOCK_WAIT_BUCKETS],
      registers: [r],
    });
    this.lockWaitByType = new Counter({
      name: OWN_METRICS.lockWaitByType,
      help: 'Time the strategy\'s backends spent waiting on heavyweight locks, by lock type (sampled every 25 ms)',
      labelNames: ['strategy', 'locktype'],
      registers: [r],
    });
    const perCounter = (name: string, help: string, pick: (c: CounterState) => number | undefined) =>
      registerDerived(r, {
        name,
        help,
        type: 'gauge',
        samples: () => this.each((id, s) => [...s.counters].flatMap(([counter, c]) => {
          const v = pick(c);
          return v === undefined ? [] : [{ labels: { strategy: id, counter }, value: v }];
        })),
      });
    perCounter(ANALYSIS_METRICS.consistencyRate, 'Share of users (sessions) whose counter equals the COUNT(*) of its rows, from the exact check at the end of each turn', (c) => c.consistencyRate);
    perCounter(
      ANALYSIS_METRICS.inconsistentCounters,
      'Counters that differ from their rows: exact after each turn\'s check; during the load a lower bound from totals (1 when the total is off)',
      (c) => c.inconsistent,
    );
    perCounter(OWN_METRICS.drift, 'Staleness: the counter\'s total minus the true number of answers (drift sampler during the load, exact check after it)', (c) => c.drift);
    perCounter(OWN_METRICS.lost, 'Increments missing from the counter (not yet counted, or lost)', (c) => c.lost);
    perCounter(OWN_METRICS.extra, 'Increments the counter has beyond its rows (counted twice)', (c) => c.extra);
    registerDerived(r, {
      name: OWN_METRICS.operations,
      help: 'Operations that succeeded, by operation (measured part of each turn; a load.via http turn does not feed it)',
      type: 'counter',
      samples: () => this.each((id, s) => opsOf(s).flatMap(([op, o]) => [{ labels: { strategy: id, op }, value: o.count }])),
    });
    registerDerived(r, {
      name: OWN_METRICS.operationErrors,
      help: 'Operations that failed, by operation and kind (dropped: an open-model arrival never sent; a load.via http turn does not feed it)',
      type: 'counter',
      samples: () => this.each((id, s) => opsOf(s).flatMap(([op, o]) => Object.entries(o.errorsByKind).map(([kind, n]) => ({ labels: { strategy: id, op, kind }, value: n })))),
    });
    registerDerived(r, {
      name: OWN_METRICS.jobLag,
      help: 'Seconds since the strategy\'s background job last finished a step (refresh, sync, rollup, flush) while its turn runs',
      type: 'gauge',
      samples: () => this.each((id, s) => (s.active ? [...s.jobs].filter(([, j]) => j.lastOkEndAt !== undefined).map(([job, j]) => ({ labels: { strategy: id, job }, value: (Date.now() - j.lastOkEndAt!) / 1000 })) : [])),
    });
    registerDerived(r, {
      name: OWN_METRICS.jobStepDuration,
      help: 'Duration of the job\'s last step, seconds',
      type: 'gauge',
      samples: () => this.each((id, s) => [...s.jobs].map(([job, j]) => ({ labels: { strategy: id, job }, value: j.lastDurationMs / 1000 }))),
    });
    registerDerived(r, {
      name: OWN_METRICS.jobErrors,
      help: 'Steps of the job that failed',
      type: 'counter',
      samples: () => this.each((id, s) => [...s.jobs].map(([job, j]) => ({ labels: { strategy: id, job }, value: j.errors }))),
    });
    registerDerived(r, {
      name: OWN_METRICS.strategyActive,
      help: '1 while the strategy\'s load and its convergence run',
      type: 'gauge',
      samples: () => this.each((id, s) => [{ labels: { strategy: id }, value: s.active ? 1 : 0 }]),
    });
  }

  private each(f: (id: string, s: StrategyState) => Sample[]): Sample[] {
    return [...this.strategies].flatMap(([id, s]) => f(id, s));
  }

  private state(id: string): StrategyState {
    let s = this.strategies.get(id);
    if (!s) {
      s = { write: { counts: INSERT_BOUNDS_US.map(() => 0), count: 0, sumUs: 0 }, ops: emptyLiveOps(), live: null, counters: new Map(), jobs: new Map(), active: false, turns: 0 };
      this.strategies.set(id, s);
    }
    return s;
  }

  /** The metrics of one strategy's turn. */
  phase(strategyId: string): PhaseMetrics {
    const s = this.state(strategyId);
    s.active = true;
    s.live = null;
    // a strategy that never waits shows 0, not no data: rate() of it is then 0 (Migration 007);
    // zero() starts over, so only for a strategy's first turn
    if (!s.turns++) this.lockWait.zero({ strategy: strategyId });
    return {
      progress: (f) => {
        s.live = f;
      },
      loadEnded: (stats) => {
        s.live = null;
        add(s.write, stats.write.latency.cumulative(INSERT_BOUNDS_US));
        addLiveOps(s.ops, stats);
      },
      driftSample: (d) => {
        for (const [counter, v] of Object.entries(d.drift)) {
          s.counters.set(counter, { ...s.counters.get(counter), from: 'sample', inconsistent: v === 0 ? 0 : 1, lost: Math.max(0, -v), extra: Math.max(0, v), drift: v });
        }
      },
      lockWaitEnded: (type, ms) => {
        if (type === 'advisory') this.lockWait.observe({ strategy: strategyId }, ms / 1000);
        this.lockWaitByType.inc({ strategy: strategyId, locktype: type }, ms / 1000);
      },
      jobEvent: (e) => {
        const job = e.kind;
        const j = s.jobs.get(job) ?? { lastDurationMs: 0, errors: 0 };
        j.lastDurationMs = e.durationMs;
        if (e.error) j.errors++;
        else j.lastOkEndAt = e.at + e.durationMs;
        s.jobs.set(job, j);
      },
      checked: (counters) => {
        for (const c of counters) {
          s.counters.set(c.name, {
            from: 'check',
            inconsistent: c.usersInconsistent,
            lost: c.lost,
            extra: c.extra,
            drift: c.extra - c.lost,
            consistencyRate: c.consistencyPct / 100,
          });
        }
      },
      ended: () => {
        // a load that broke before its end handed over its last figures: keep them, so that the
        // counters never go back
        if (s.live) {
          add(s.write, s.live.write.cumulative(INSERT_BOUNDS_US));
          addLiveOps(s.ops, s.live.ops);
        }
        s.active = false;
        s.live = null;
        s.jobs.clear();
      },
    };
  }
}

/** The turns that ended plus the one in progress. */
function opsOf(s: StrategyState): Array<[OpName, LiveOps[OpName]]> {
  const ops = emptyLiveOps();
  addLiveOps(ops, s.ops);
  if (s.live) addLiveOps(ops, s.live.ops);
  return Object.entries(ops) as Array<[OpName, LiveOps[OpName]]>;
}
