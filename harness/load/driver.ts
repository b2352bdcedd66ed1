// Drives one strategy's load for one phase (warm-up, then the measured part): closed model
// (N clients back to back) or open model (a pre-generated arrival schedule; latency from each
// operation's intended start, so a stalled server shows in the percentiles).
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { OpName, OpResult, ReadBounds, SeriesPoint } from '../results/types.ts';
import type { Answer, Conn, RemoveTarget, Strategy, StrategyContext } from '../strategies/types.ts';
import { connectLoad } from '../db/lean/connect.ts';
import { connectRedis } from '../provision/redis.ts';
import { classifyError } from './error-kind.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createKeyPicker } from './keys.ts';
import { createOpPicker } from './mix.ts';
import { LatencyRecorder, SeriesRecorder } from '../measure/histogram.ts';
import { startLoopDelayMonitor } from '../measure/loop-delay.ts';
import type { Ledger } from '../measure/ledger.ts';
import { ReadJudge, type ReadStart } from '../measure/read-bounds.ts';
import { runOpen } from './open-model.ts';
import { OPS } from './ops.ts';


export interface LiveStats {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  totalMs: number;
  opsPerSec: number;
  writeP99Ms: number;
  errors: number;
}

export interface PhaseOptions {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  scenario: Scenario;
  ledger: Ledger;
  /** the same for every strategy in a run, so that all see the same keys and arrivals */
  seed: number;
  signal?: AbortSignal;
  onProgress?: (s: LiveStats) => void;
}

export interface PhaseResult {
  ops: Partial<Record<OpName, OpResult>>;
  series: SeriesPoint[];
  reads: ReadBounds | null;
  reconnects: number;
  /** open model: arrivals dropped because maxInFlight operations were already waiting (warm-up
   *  included; the measured ones are also in ops[op].dropped and counted as errors) */
  droppedArrivals: number;
  /** operations that succeeded over the whole phase, warm-up included, deletes only when they
   *  removed a row (server cost divides by these) */
  completed: Record<OpName, number>;
  /** epoch ms when the measured part began and when the load stopped */
  measureStartedAt: number;
  loadEndedAt: number;
  measuredMs: number;
  harness: { loopDelayP99Ms: number; loopDelayMaxMs: number; cpuPct: number; saturated: boolean };
}

interface OpStats {
  /** successes over the whole phase, warm-up included */
  completed: number;
  /** open model: arrivals of the measured part never sent (maxInFlight reached) */
  dropped: number;
  latency: LatencyRecorder;
  service: LatencyRecorder;
  count: number;
  errors: number;
  attempts: number;
  retries: number;
  errorsByKind: Record<string, number>;
}

export interface Client {
  conn: Conn;
  index: number;
  answer: Answer;
  target: RemoveTarget;
  readStart: ReadStart;
}

const WRITE = 0;
const READ = 1;
const DELETE = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stages take the start of the measured part; after them the last target holds. */
export function measuredSeconds(s: Scenario): number {
  return Math.max(s.phases.durationSeconds, s.phases.stages.reduce((a, st) => a + st.durationSeconds, 0));
}

/** The load level (clients or arrivals/s) at t seconds into the measured part. */
export function levelAt(s: Scenario, base: number, t: number): number {
  let from = base;
  let at = 0;
  for (const st of s.phases.stages) {
    if (t <= at + st.durationSeconds) return from + ((st.target - from) * (t - at)) / st.durationSeconds;
    at += st.durationSeconds;
    from = st.target;
  }
  return from;
}

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
  const s = o.scenario;
  const sessionsPerUser = s.data.sessionsPerUser;
  const judge = o.strategy.readCounter ? new ReadJudge(o.ledger, new LatencyRecorder()) : null;
  const stats: OpStats[] = OPS.map(() => ({
    completed: 0,
    dropped: 0,
    latency: new LatencyRecorder(),
    service: new LatencyRecorder(),
    count: 0,
    errors: 0,
    attempts: 0,
    retries: 0,
    errorsByKind: {},
  }));
  const series = new SeriesRecorder();
  let reconnects = 0;
  let inFlightErrors = 0;

  const appName = `counterbench:${o.strategy.id}`;
  const openConn = async (): Promise<Conn> => {
    const pgc = await connectLoad(o.pgUrl, { schema: o.ctx.schema, applicationName: appName }, s.options.driver);
    let redis: Redis | undefined;
    if (o.strategy.needsRedis && o.redisUrl) {
      redis = connectRedis(o.redisUrl);
      redis.on('error', () => {});
      await redis.connect();
    }
    return { pg: pgc, redis, ctx: o.ctx };
  };
  const closeConn = async (c: Conn) => {
    c.redis?.disconnect();
    await c.pg.end().catch(() => {});
  };

  const clientCount =
    s.load.kind === 'closed' ? Math.max(s.load.clients, ...s.phases.stages.map((st) => Math.ceil(st.target))) : s.load.clients;
  const clients: Client[] = [];
  try {
    for (let i = 0; i < clientCount; i++) {
      clients.push({
        conn: await openConn(),
        index: i,
        answer: { userId: 0, sessionId: 0, questionJsonId: 'q-bench', rawAnswer: 'an answer written by counterbench' },
        target: { userId: 0, sessionId: 0 },
        readStart: { at: 0, insAcked: 0, delAcked: 0 },
      });
    }
  } catch (e) {
    await Promise.all(clients.map((c) => closeConn(c.conn)));
    throw e;
  }

  const warmupMs = s.phases.warmupSeconds * 1000;
  const measureMs = measuredSeconds(s) * 1000;
  const t0 = performance.now();
  const measureStart = t0 + warmupMs;
  const end = measureStart + measureMs;
  const epochAt = (perfMs: number) => Date.now() - (performance.now() - perfMs);
  const aborted = () => o.signal?.aborted === true;
  let lastMeasuredDone = measureStart;
  const ledger = o.ledger;
  const maxRetries = s.options.maxRetries;

  const reconnect = async (cl: Client) => {
    await closeConn(cl.conn);
    while (!aborted() && performance.now() < end) {
      try {
        cl.conn = await openConn();
        reconnects++;
        return;
      } catch {
        await sleep(100);
      }
    }
  };

  // The second an operation is filed under in the per-second series: in the closed model the one
  // it started in (clients start operations only inside the window, so every second is full);
  // in the open model the one it completed in, so that a server falling behind its schedule
  // shows as the rate it achieved, backlog included.
  const seriesSecond = (intended: number, done: number) =>
    Math.floor(((s.load.kind === 'open' ? done : intended) - measureStart) / 1000);

  /** Runs one operation with its retries. Everything it does goes into the ledger; its figures
   *  (latency, attempts, judged reads) count only when its intended start is in the measured
   *  part. */
  const execute = async (cl: Client, op: number, u: number, intended: number): Promise<void> => {
    const st = stats[op];
    const measured = intended >= measureStart && intended < end;
    const sessionId = u * sessionsPerUser; // the user's active session: the last one (sql/seed.sql)
    if (op === WRITE) ledger.insertBegun(u);
    else if (op === DELETE) ledger.deleteBegun(u);
    let attempt = 0;
    for (;;) {
      const start = performance.now();
      if (measured) st.attempts++;
      // a delete that found nothing wrote nothing: it stays out of the per-write server costs
      let counted = true;
      try {
        if (op === WRITE) {
          cl.answer.userId = u;
          cl.answer.sessionId = sessionId;
          await o.strategy.write(cl.conn, cl.answer);
          ledger.insertAcked(u, performance.now());
        } else if (op === READ) {
          if (measured) judge?.begin(u, start, cl.readStart);
          const v = await o.strategy.read(cl.conn, u);
          if (measured) judge?.judge(u, v, cl.readStart);
        } else {
          cl.target.userId = u;
          cl.target.sessionId = sessionId;
          counted = await o.strategy.remove(cl.conn, cl.target);
          ledger.deleteAcked(u, counted);
        }
        const done = performance.now();
        if (counted) st.completed++;
        if (measured) {
          st.count++;
          if (done > lastMeasuredDone) lastMeasuredDone = done;
          st.latency.record(Math.max(1, Math.round((done - intended) * 1000)));
          st.service.record(Math.max(1, Math.round((done - start) * 1000)));
          series.record(seriesSecond(intended, done), OPS[op], Math.round((done - intended) * 1000), false);
        }
        return;
      } catch (e) {
        const k = classifyError(e);
        if (k.action === 'retry' && attempt < maxRetries && (op === READ || !o.strategy.multiStatement)) {
          attempt++;
          if (measured) st.retries++;
          continue;
        }
        // a write or delete that failed may still have happened (or half happened)
        if (op !== READ) ledger.inDoubt++;
        if (op === WRITE) ledger.insertFailed(u);
        inFlightErrors++;
        if (measured) {
          const done = performance.now();
          if (done > lastMeasuredDone) lastMeasuredDone = done;
          st.errors++;
          st.errorsByKind[k.kind] = (st.errorsByKind[k.kind] ?? 0) + 1;
          series.record(seriesSecond(intended, done), OPS[op], 0, true);
        }
        if (k.action === 'reconnect') await reconnect(cl);
        return;
      }
    }
  };

  /** An open-model arrival that found maxInFlight operations waiting: never sent, and counted
   *  as an error of kind 'dropped' when it was due in the measured part. */
  const drop = (op: number, intended: number) => {
    if (intended < measureStart || intended >= end) return;
    const st = stats[op];
    st.dropped++;
    st.errors++;
    st.errorsByKind.dropped = (st.errorsByKind.dropped ?? 0) + 1;
    series.record(Math.max(0, Math.floor((intended - measureStart) / 1000)), OPS[op], 0, true);
  };

  const loop = startLoopDelayMonitor();
  const progress = o.onProgress
    ? setInterval(() => {
        const now = performance.now();
        const measuring = now >= measureStart;
        const w = stats[WRITE];
        const done = stats.reduce((a, x) => a + x.count, 0);
        o.onProgress!({
          phase: measuring ? 'measure' : 'warmup',
          elapsedMs: now - t0,
          totalMs: end - t0,
          opsPerSec: measuring ? done / Math.max(0.001, (now - measureStart) / 1000) : 0,
          writeP99Ms: w.latency.count ? w.latency.summary().p99 : 0,
          errors: inFlightErrors,
        });
      }, 500)
    : undefined;

  let dropped = 0;
  try {
    if (s.load.kind === 'closed') {
      const load = s.load;
      await Promise.all(
        clients.map(async (cl) => {
          const rng = createRng(deriveSeed(o.seed, cl.index));
          const pickUser = createKeyPicker(s.keys, s.data.users, rng);
          const pickOp = createOpPicker(s.mix, rng);
          for (;;) {
            const now = performance.now();
            if (now >= end || aborted()) return;
            const active = now < measureStart ? load.clients : levelAt(s, load.clients, (now - measureStart) / 1000);
            if (cl.index >= Math.round(active)) {
              await sleep(20);
              continue;
            }
            await execute(cl, OPS.indexOf(pickOp()), pickUser(), now);
            if (load.thinkTimeMs > 0) await sleep(load.thinkTimeMs);
          }
        }),
      );
    } else {
      dropped = await runOpen(o, clients, execute, drop, { t0, warmupMs, measureMs, aborted });
    }
  } finally {
    if (progress) clearInterval(progress);
    await Promise.all(clients.map((c) => closeConn(c.conn)));
  }
  const loadEnded = performance.now();
  const harness = loop.stop();

  const ops: Partial<Record<OpName, OpResult>> = {};
  // Throughput divides by the time until the last measured operation came back, not by the
  // planned duration: when the server falls behind an open-model schedule, the backlog drains
  // after the schedule ends, and the rate the server achieved is what the reader needs.
  const measuredSec = Math.max(0, (aborted() ? Math.min(loadEnded, lastMeasuredDone) : lastMeasuredDone) - measureStart) / 1000;
  OPS.forEach((name, i) => {
    const st = stats[i];
    if (s.mix[name] <= 0 && st.attempts === 0) return;
    ops[name] = {
      count: st.count,
      errors: st.errors,
      attempts: st.attempts,
      retries: st.retries,
      ...(st.dropped ? { dropped: st.dropped } : {}),
      errorsByKind: st.errorsByKind,
      throughput: measuredSec > 0 ? st.count / measuredSec : 0,
      latencyMs: st.latency.summary(),
      serviceTimeMs: st.service.summary(),
    };
  });
  return {
    ops,
    series: series.points(),
    reads: judge ? judge.result() : null,
    reconnects,
    droppedArrivals: dropped,
    completed: { write: stats[WRITE].completed, read: stats[READ].completed, delete: stats[DELETE].completed },
    measureStartedAt: epochAt(measureStart),
    loadEndedAt: epochAt(loadEnded),
    measuredMs: measuredSec * 1000,
    harness,
  };
}
