// What the caller of a phase sees of it, the same whether one thread or several ran the load:
// the fault-injection handle, the progress line, and the figures at the end.
import type { LatencyRecorder } from '../measure/histogram.ts';
import type { HarnessFigures, LoadHandle, PhaseOptions, PhaseResult } from './driver.ts';
import type { OpRunner } from './op-runner.ts';
import type { OpName } from '../results/types.ts';
import type { LoadControl } from './load-control.ts';
import type { PhaseWindow } from './phase-window.ts';
import { OPS } from './ops.ts';

/** epoch ms of a performance.now() ms of this thread */
export const epochAt = (perfMs: number) => Date.now() - (performance.now() - perfMs);

export function loadHandle(o: PhaseOptions, control: LoadControl, w: PhaseWindow): LoadHandle {
  return {
    measureStartsAt: epochAt(w.measureStart),
    loadPids: () => control.pids(),
    crashWrites: (n) => {
      if (!o.strategy.multiStatement) return false;
      control.armCrashes(n);
      return true;
    },
  };
}

/** Measured operations so far, per operation, with failures by kind: what a run's /metrics
 *  reads (run --metrics-port), taken from the counts the runner keeps anyway. */
export type LiveOps = Record<OpName, { count: number; errorsByKind: Record<string, number> }>;

/** A runner's counts as plain data, for another thread. */
export function liveOps(runner: OpRunner): LiveOps {
  const out = emptyLiveOps();
  for (const op of OPS) out[op] = { count: runner.stats[op].count, errorsByKind: { ...runner.stats[op].errorsByKind } };
  return out;
}

export const emptyLiveOps = (): LiveOps => ({ write: { count: 0, errorsByKind: {} }, read: { count: 0, errorsByKind: {} }, delete: { count: 0, errorsByKind: {} } });

/** Adds b's counts into a. */
export function addLiveOps(a: LiveOps, b: LiveOps): void {
  for (const op of OPS) {
    a[op].count += b[op].count;
    for (const [k, n] of Object.entries(b[op].errorsByKind)) a[op].errorsByKind[k] = (a[op].errorsByKind[k] ?? 0) + n;
  }
}

/** What the progress line shows, from whichever runner (or merge of runners) counts so far. */
export interface ProgressSource {
  measured: number;
  failures: number;
  write: LatencyRecorder;
  ops?: LiveOps;
}

/** Calls o.onProgress every 500 ms; returns the function that stops it. */
export function startProgress(o: PhaseOptions, w: PhaseWindow, source: () => ProgressSource): () => void {
  if (!o.onProgress) return () => {};
  const timer = setInterval(() => {
    const now = performance.now();
    const measuring = now >= w.measureStart;
    const p = source();
    o.onProgress!({
      phase: measuring ? 'measure' : 'warmup',
      elapsedMs: now - w.t0,
      totalMs: w.end - w.t0,
      opsPerSec: measuring ? p.measured / Math.max(0.001, (now - w.measureStart) / 1000) : 0,
      writeP99Ms: p.write.count ? p.write.summary().p99 : 0,
      errors: p.failures,
      ...(p.ops ? { figures: { write: p.write, ops: p.ops } } : {}),
    });
  }, 500);
  return () => clearInterval(timer);
}

export interface PhaseEnd {
  reconnects: number;
  appCrashes: number;
  dropped: number;
  /** performance.now() ms when the load stopped */
  loadEnded: number;
  aborted: boolean;
  harness: HarnessFigures;
}

export function assemblePhase(o: PhaseOptions, runner: OpRunner, w: PhaseWindow, e: PhaseEnd): PhaseResult {
  // Throughput divides by the time until the last measured operation came back, not by the
  // planned duration: when the server falls behind an open-model schedule, the backlog drains
  // after the schedule ends, and the rate the server achieved is what the reader needs.
  const lastDone = runner.lastMeasuredDone;
  const measuredSec = Math.max(0, (e.aborted ? Math.min(e.loadEnded, lastDone) : lastDone) - w.measureStart) / 1000;
  return {
    ops: runner.results(o.scenario.mix, measuredSec),
    // every second of the measured window, or up to the interruption, for each operation of the
    // mix; a backlog drained after it extends the series by itself
    series: runner.series.points(Math.max(0, Math.min(e.loadEnded, w.end) - w.measureStart) / 1000, OPS.filter((op) => o.scenario.mix[op] > 0)),
    reads: runner.judge ? runner.judge.result() : null,
    reconnects: e.reconnects,
    appCrashes: e.appCrashes,
    droppedArrivals: e.dropped,
    completed: runner.completed(),
    measureStartedAt: epochAt(w.measureStart),
    loadEndedAt: epochAt(e.loadEnded),
    measuredMs: measuredSec * 1000,
    harness: e.harness,
  };
}
