// Drives one strategy's load for one phase (warm-up, then the measured part): closed model
// (N clients back to back) or open model (a pre-generated arrival schedule; latency from each
// operation's intended start, so a stalled server shows in the percentiles).
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { OpName, OpResult, ReadBounds, SeriesPoint } from '../results/types.ts';
import type { Conn, Strategy, StrategyContext } from '../strategies/types.ts';
import { connectPg } from '../db/connect.ts';
import { connectRedis } from '../provision/redis.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createKeyPicker } from './keys.ts';
import { createOpPicker } from './mix.ts';
import { startLoopDelayMonitor } from '../measure/loop-delay.ts';
import type { Ledger } from '../measure/ledger.ts';
import { runOpen } from './open-model.ts';
import { OpRunner, type Client } from './op-runner.ts';
import { AppCrash } from './error-kind.ts';
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
  /** called once the load connections are open, for fault injection */
  onLoadStart?: (h: LoadHandle) => void;
}

/** What fault injection may see and do of a running phase. */
export interface LoadHandle {
  /** epoch ms when the measured part starts */
  measureStartsAt: number;
  /** the backend pid of each load connection, current after reconnects */
  loadPids(): number[];
  /** makes the next n writes crash after their first statement (the strategy must have a
   *  crash point: a multi-statement write); returns false when it has none */
  crashWrites(n: number): boolean;
}

export interface PhaseResult {
  ops: Partial<Record<OpName, OpResult>>;
  series: SeriesPoint[];
  reads: ReadBounds | null;
  reconnects: number;
  /** writes that crashed after their first statement (an injected fault) */
  appCrashes: number;
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

export type { Client };

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
  let reconnects = 0;
  let crashesArmed = 0;
  let appCrashes = 0;
  const crashPoint = () => {
    if (crashesArmed <= 0) return;
    crashesArmed--;
    appCrashes++;
    throw new AppCrash();
  };

  const appName = `counterbench:${o.strategy.id}`;
  const openConn = async (): Promise<Conn> => {
    const pgc = await connectPg(o.pgUrl, { schema: o.ctx.schema, applicationName: appName });
    let redis: Redis | undefined;
    if (o.strategy.needsRedis && o.redisUrl) {
      redis = connectRedis(o.redisUrl);
      redis.on('error', () => {});
      await redis.connect();
    }
    // which backend is whose: fault injection terminates exactly one of ours
    const pid = Number((await pgc.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    return { pg: pgc, redis, ctx: o.ctx, pid, crashPoint };
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

  const runner = new OpRunner(o.strategy, o.ledger, sessionsPerUser, s.options.maxRetries, {
    measureStart,
    end,
    // The second an operation is filed under in the per-second series: in the closed model the
    // one it started in (clients start operations only inside the window, so every second is
    // full); in the open model the one it completed in, so that a server falling behind its
    // schedule shows as the rate it achieved, backlog included.
    seriesSecond: (intended, done) => Math.floor(((s.load.kind === 'open' ? done : intended) - measureStart) / 1000),
  }, reconnect);

  o.onLoadStart?.({
    measureStartsAt: epochAt(measureStart),
    loadPids: () => clients.map((c) => c.conn.pid ?? 0),
    crashWrites: (n) => {
      if (!o.strategy.multiStatement) return false;
      crashesArmed += n;
      return true;
    },
  });
  const loop = startLoopDelayMonitor();
  const progress = o.onProgress
    ? setInterval(() => {
        const now = performance.now();
        const measuring = now >= measureStart;
        const w = runner.stats.write;
        const done = runner.measuredCount();
        o.onProgress!({
          phase: measuring ? 'measure' : 'warmup',
          elapsedMs: now - t0,
          totalMs: end - t0,
          opsPerSec: measuring ? done / Math.max(0.001, (now - measureStart) / 1000) : 0,
          writeP99Ms: w.latency.count ? w.latency.summary().p99 : 0,
          errors: runner.failures,
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
            await runner.run(cl, pickOp(), pickUser(), now);
            if (load.thinkTimeMs > 0) await sleep(load.thinkTimeMs);
          }
        }),
      );
    } else {
      dropped = await runOpen(o, clients, runner, { t0, warmupMs, measureMs, aborted });
    }
  } finally {
    if (progress) clearInterval(progress);
    await Promise.all(clients.map((c) => closeConn(c.conn)));
  }
  const loadEnded = performance.now();
  const harness = loop.stop();

  // Throughput divides by the time until the last measured operation came back, not by the
  // planned duration: when the server falls behind an open-model schedule, the backlog drains
  // after the schedule ends, and the rate the server achieved is what the reader needs.
  const lastDone = runner.lastMeasuredDone;
  const measuredSec = Math.max(0, (aborted() ? Math.min(loadEnded, lastDone) : lastDone) - measureStart) / 1000;
  return {
    ops: runner.results(s.mix, measuredSec),
    // every second of the measured window, or up to the interruption, for each operation of the
    // mix; a backlog drained after it extends the series by itself
    series: runner.series.points(Math.max(0, Math.min(loadEnded, end) - measureStart) / 1000, OPS.filter((op) => s.mix[op] > 0)),
    reads: runner.judge ? runner.judge.result() : null,
    reconnects,
    appCrashes,
    droppedArrivals: dropped,
    completed: runner.completed(),
    measureStartedAt: epochAt(measureStart),
    loadEndedAt: epochAt(loadEnded),
    measuredMs: measuredSec * 1000,
    harness,
  };
}
