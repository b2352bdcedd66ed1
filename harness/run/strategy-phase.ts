// One strategy's turn in a round: its jobs start, the load runs, the load stops, the jobs are
// given time to converge on their own (timed), then drained, and every counter is checked.
// Around it: the server's statistics before and after, lock waits and the drift timeline.
import type { Redis } from 'ioredis';
import type { CounterDrift, DriftSample, FaultRecord } from '../results/types.ts';
import type { Job, JobEvent } from '../strategies/types.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { connectRedis } from '../provision/redis.ts';
import { drivePhase, type PhaseOptions, type PhaseResult } from '../load/driver.ts';
import type { PhaseMetrics, RunMetrics } from '../metrics/run-metrics.ts';
import { counterSum, counterSumSql, counterSums, exactCheck } from '../measure/drift.ts';
import { diffServer, snapshotServer, type ServerCost } from '../measure/server.ts';
import { forceStatsFlush } from '../measure/server-settle.ts';
import { startLockSampler } from '../measure/lock-sampler.ts';
import { startDriftSampler, type DriftSampler } from '../measure/drift-sampler.ts';
import { startServerEventSampler } from '../measure/server-events.ts';
import type { RedisWatch } from '../provision/redis-watch.ts';
import type { FaultSpec } from '../faults/kinds.ts';
import { scheduleFaults } from '../faults/inject.ts';
import { attributeFaults } from '../faults/attribute.ts';
import { runHttpPhase } from '../serve/http-phase.ts';
import type { HttpFigures } from '../results/types.ts';

export interface StrategyPhaseOptions extends PhaseOptions {
  /** a connection in the strategy's schema, for checks; replaced if its backend is lost */
  check: Reconnecting;
  /** a connection outside any schema, for server statistics; replaced if its backend is lost */
  admin: Reconnecting;
  redis?: Redis;
  /** the harness's Redis client's outages, to say so when a check fails for want of Redis */
  redisWatch?: RedisWatch;
  round: number;
  /** the scenario's faults, and how to restart the servers the harness owns */
  faults?: { specs: FaultSpec[]; restartPostgres?: () => Promise<void>; restartRedis?: () => Promise<void> };
  /** the run's /metrics (run --metrics-port), told what this turn measures */
  metrics?: RunMetrics;
  /** the strategy label on /metrics: the result's id, so that an HTTP twin (`<id>@http`) has a
   *  series of its own instead of overwriting its SQL turn's (default: the strategy's id) */
  metricsLabel?: string;
  /** 'http': the load goes through an in-process serve driven by autocannon */
  via?: 'http';
}

export interface StrategyPhaseResult {
  phase: PhaseResult;
  /** job events, with tMs from the measured part's start */
  events: Array<JobEvent & { tMs: number }>;
  /** ms after the load ended until every counter's sum matched the truth without help; null if
   *  it had not by the drain timeout */
  convergeMs: number | null;
  /** empty when the check could not be made; checkError says why */
  counters: CounterDrift[];
  checkError?: string;
  faults: FaultRecord[];
  timeline: DriftSample[];
  sampler: { intervalMs: number; samples: number; meanQueryMs: number | null; errors: number } | null;
  server: ServerCost;
  /** with via 'http': what the HTTP path adds */
  http?: HttpFigures;
}

const POLL_MS = 20;

/** Starts the strategy's background jobs (also `counterbench serve`'s, which runs them beside the
 *  app); each job's Postgres link is pushed to `links`, its events to `events`. */
export async function startJobs(o: Pick<PhaseOptions, 'strategy' | 'ctx' | 'pgUrl' | 'redisUrl'>, events: JobEvent[], links: Reconnecting[], m?: PhaseMetrics): Promise<Job[]> {
  if (!o.strategy.jobs) return [];
  return o.strategy.jobs({
    ...o.ctx,
    connectPg: async () => {
      const link = await reconnecting(o.pgUrl, {
        schema: o.ctx.schema,
        applicationName: `counterbench:${o.strategy.id}:job`,
        onReconnect: (why) => events.push({ kind: 'job-reconnect', at: Date.now(), durationMs: 0, error: why }),
      });
      links.push(link);
      return link;
    },
    connectRedis: async () => {
      const r = connectRedis(o.redisUrl!);
      r.on('error', () => {});
      await r.connect();
      return r;
    },
    mark: (e) => {
      events.push(e);
      m?.jobEvent(e);
    },
  });
}

/** The connection that checks a strategy's counters, named so that statistics settling can tell it apart. */
export const checkConnectionName = (strategyId: string) => `counterbench:${strategyId}:check`;

/** Waits until each counter's sum equals the true number of answers, or the timeout. */
async function awaitConvergence(o: StrategyPhaseOptions, hasJobs: boolean): Promise<number | null> {
  if (!o.strategy.counters.length) return 0;
  const started = Date.now();
  // the load is over, so the truth no longer moves: count it once
  const t = await (await o.check.get()).query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new');
  const truth = Number(t.rows[0].n);
  for (let first = true; ; first = false) {
    const polledAt = Date.now();
    const sums = await counterSums(await o.check.get(), o.redis, o.strategy, o.ctx);
    // already right at the first look: nothing had to converge
    if (Object.values(sums).every((s) => s === truth)) return first ? 0 : polledAt - started;
    // without jobs nothing will change any more
    if (!hasJobs || Date.now() - started > o.scenario.options.drainTimeoutMs || o.signal?.aborted) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function startTimeline(o: StrategyPhaseOptions, phase: () => 'load' | 'drain', startedAtMs: number, m?: PhaseMetrics): DriftSampler | null {
  const sampled = o.strategy.counters.filter((k) => !k.computedOnRead);
  if (!sampled.length || o.scenario.options.driftSampleIntervalMs <= 0) return null;
  return startDriftSampler({
    url: o.pgUrl,
    schema: o.ctx.schema,
    counters: sampled.map((k) => ({ name: k.name, scope: k.scope, source: k.source, sumSql: k.sql ? counterSumSql(k) : undefined })),
    // a range, not the acknowledged total: a counter may count an operation before the driver
    // hears it was acknowledged (manual-update's UPDATEs, the queue worker's INCR)
    truth: () => o.ledger.truthRange(),
    redisSum: async (name) => counterSum(await o.check.get(), o.redis, o.strategy, sampled.find((k) => k.name === name)!, o.ctx),
    intervalMs: o.scenario.options.driftSampleIntervalMs,
    phase,
    startedAtMs,
    onSample: m && ((s) => m.driftSample(s)),
  });
}

export async function runStrategyPhase(o: StrategyPhaseOptions): Promise<StrategyPhaseResult> {
  const prefix = `counterbench:${o.strategy.id}`;
  const pgReconnects = () => o.admin.reconnects + o.check.reconnects;
  const reconnectsBefore = pgReconnects();
  const settle = { applicationNamePrefix: prefix, flushed: [checkConnectionName(o.strategy.id)] };
  await forceStatsFlush(await o.check.get());
  const before = await snapshotServer(await o.admin.get(), o.ctx.schema, { settle });
  const m = o.metrics?.phase(o.metricsLabel ?? o.strategy.id);
  const locks = startLockSampler(o.pgUrl, { applicationNamePrefix: prefix, onWaitEnded: m && ((type, ms) => m.lockWaitEnded(type, ms)) });
  const serverEvents = startServerEventSampler(o.pgUrl, o.ctx.schema);
  const events: JobEvent[] = [];
  const links: Reconnecting[] = [];
  const faults = scheduleFaults(o.faults?.specs ?? [], {
    strategy: o.strategy,
    round: o.round,
    admin: o.admin,
    restartPostgres: o.faults?.restartPostgres,
    restartRedis: o.faults?.restartRedis,
    jobPids: async () => links.map((l) => l.pid()).filter((p): p is number => p !== null),
  });
  let stage: 'load' | 'drain' = 'load';
  const timeline = startTimeline(o, () => stage, Date.now() + o.scenario.phases.warmupSeconds * 1000, m);
  const startedAt = Date.now();
  let jobs: Job[] = [];
  let phase: PhaseResult;
  let http: HttpFigures | undefined;
  let injected: FaultRecord[] = [];
  let convergeMs: number | null = null;
  let checkError: string | undefined;
  let samples: DriftSample[] = [];
  let lockWaits: Awaited<ReturnType<typeof locks.stop>>;
  // a check that cannot be made is said in the reader's terms, and keeps the load's figures
  const unchecked = (e: unknown) => `counters could not be checked: ${o.redisWatch ? o.redisWatch.explain(e, startedAt) : (e as Error).message}`;
  try {
    jobs = await startJobs(o, events, links, m);
    if (o.via === 'http') {
      // the HTTP path's figures come from autocannon at the end: /metrics follows the SQL path only
      const h = await runHttpPhase({ ...o, pool: o.scenario.pool ?? o.scenario.load.clients });
      http = h.http;
      phase = h;
    } else {
      const onProgress: PhaseOptions['onProgress'] = m
        ? (p) => {
            o.onProgress?.(p);
            if (p.figures) m.progress(p.figures);
          }
        : o.onProgress;
      const driven = await drivePhase({ ...o, onProgress, onLoadStart: faults.onLoadStart });
      phase = driven.result;
      m?.loadEnded(driven.runner.stats);
    }
    injected = await faults.finish();
    stage = 'drain';
    try {
      convergeMs = await awaitConvergence(o, jobs.length > 0);
      for (const j of jobs) await j.drain();
    } catch (e) {
      checkError = unchecked(e);
    }
  } finally {
    await faults.finish();
    // every sampler stops whatever happened, or it would go on polling through the next phases
    for (const j of jobs) await j.stop().catch(() => {});
    samples = (await timeline?.stop().catch(() => [])) ?? [];
    lockWaits = await locks.stop();
    events.push(...(await serverEvents.stop()));
    m?.ended();
  }
  // the exact check scans every answer: it must not be charged to the strategy
  await forceStatsFlush(await o.check.get()).catch(() => {});
  const after = await snapshotServer(await o.admin.get(), o.ctx.schema, { settle });
  let counters: CounterDrift[] = [];
  if (!checkError) {
    try {
      counters = await exactCheck(await o.check.get(), o.redis, o.strategy, o.ctx);
      m?.checked(counters);
    } catch (e) {
      checkError = unchecked(e);
    }
  }
  const server = diffServer(before, after, {
    writes: phase.completed.write,
    reads: phase.completed.read,
    deletes: phase.completed.delete,
    lockWaits,
  });
  const missed = serverEvents.errors();
  if (missed.count) server.notes.push(`server events: ${missed.count} sample(s) failed, some checkpoints or autovacuum runs may be missing (${missed.last})`);
  const cost = timeline?.cost();
  return {
    phase,
    events: events.sort((a, b) => a.at - b.at).map((e) => ({ ...e, tMs: Math.round(e.at - phase.measureStartedAt) })),
    convergeMs,
    counters,
    checkError,
    faults: attributeFaults(injected, {
      round: o.round,
      measureStartedAt: phase.measureStartedAt,
      endedAt: Date.now(),
      series: phase.series,
      jobEvents: events,
      loadReconnects: phase.reconnects,
      appCrashes: phase.appCrashes,
      redisOutages: o.redisWatch?.outages() ?? [],
      pgReconnects: pgReconnects() - reconnectsBefore,
    }),
    timeline: samples,
    sampler: cost
      ? { intervalMs: o.scenario.options.driftSampleIntervalMs, samples: cost.samples, meanQueryMs: cost.meanQueryMs, errors: timeline!.errors().count }
      : null,
    server,
    ...(http ? { http } : {}),
  };
}
