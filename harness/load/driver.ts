// Drives one strategy's load for one phase (warm-up, then the measured part): closed model
// (N clients back to back) or open model (a pre-generated arrival schedule; latency from each
// operation's intended start, so a stalled server shows in the percentiles). With one worker
// (the default) the load runs in this thread; with `workers` > 1 in that many worker threads
// (worker-pool.ts), whose figures merge exactly into the same result.
import type { OpName, OpResult, ReadBounds, SeriesPoint } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import type { Scenario } from '../config/types.ts';
import { startLoopDelayMonitor, type LoopDelayReport } from '../measure/loop-delay.ts';
import type { Ledger } from '../measure/ledger.ts';
import type { OpRunner } from './op-runner.ts';
import { LoadControl } from './load-control.ts';
import { LoadShare } from './load-share.ts';
import { clientCount, phaseWindow } from './phase-window.ts';
import { assemblePhase, loadHandle, startProgress, type LiveOps } from './phase-result.ts';
import type { LatencyRecorder } from '../measure/histogram.ts';
import { runInWorkers } from './worker-pool.ts';

export { measuredSeconds, levelAt } from './phase-window.ts';
export type { Client } from './op-runner.ts';

export interface LiveStats {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  totalMs: number;
  opsPerSec: number;
  writeP99Ms: number;
  errors: number;
  /** the measured write latencies and operation counts so far (live objects in a one-thread
   *  load: read them, do not keep them past the phase) */
  figures?: { write: LatencyRecorder; ops: LiveOps };
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

/** The harness's own figures over the load: with worker threads, the worst worker's loop delay,
 *  the whole process's CPU, and saturated when any worker was (see worker-pool.ts). */
export type HarnessFigures = LoopDelayReport & {
  /** each worker thread's own figures; its cpuPct is its event loop's utilization */
  workers?: LoopDelayReport[];
};

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
  harness: HarnessFigures;
}

/** A phase's result and the runner whose figures it was made from (merged from every worker's). */
export interface DrivenPhase {
  result: PhaseResult;
  runner: OpRunner;
}

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
  return (await drivePhase(o)).result;
}

export async function drivePhase(o: PhaseOptions): Promise<DrivenPhase> {
  // one connection at least per worker: a caller that sets few clients (a capacity step at a low
  // rate) gets fewer workers rather than a worker with nothing to send its arrivals through
  const workers = Math.min(o.scenario.workers ?? 1, clientCount(o.scenario));
  return workers > 1 ? runInWorkers(o, workers) : runInProcess(o);
}

async function runInProcess(o: PhaseOptions): Promise<DrivenPhase> {
  const control = new LoadControl(clientCount(o.scenario));
  const unhook = control.follow(o.signal);
  try {
    const share = await LoadShare.open({ ...o, control, part: { index: 0, of: 1 } });
    const t0 = performance.now();
    const w = phaseWindow(o.scenario, t0);
    const runner = share.begin(t0);
    o.onLoadStart?.(loadHandle(o, control, w));
    const loop = startLoopDelayMonitor();
    const stopProgress = startProgress(o, w, () => ({ measured: runner.measuredCount(), failures: runner.failures, write: runner.stats.write.latency, ops: runner.stats }));
    let dropped = 0;
    try {
      dropped = await share.drive();
    } finally {
      stopProgress();
      await share.close();
    }
    const loadEnded = performance.now();
    const harness = loop.stop();
    const result = assemblePhase(o, runner, w, {
      reconnects: share.reconnects,
      appCrashes: share.appCrashes,
      dropped,
      loadEnded,
      aborted: control.aborted,
      harness,
    });
    return { result, runner };
  } finally {
    unhook();
  }
}
