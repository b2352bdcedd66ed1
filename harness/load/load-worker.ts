// One worker thread of a phase's load (started by worker-pool.ts through load-worker.mjs): it
// opens its part of the load connections, says so, waits for the phase's start time, runs its
// part of the load against the shared ledger and control, and sends back everything it measured
// as plain data, its times in the main thread's clock.
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../config/types.ts';
import type { StrategyContext } from '../strategies/types.ts';
import { strategyById } from '../strategies/index.ts';
import { Ledger, type AckTimes, type SharedLedger } from '../measure/ledger.ts';
import { startLoopDelayMonitor, type LoopDelayReport } from '../measure/loop-delay.ts';
import type { EncodedLatency } from '../measure/histogram.ts';
import { LoadControl } from './load-control.ts';
import { LoadShare } from './load-share.ts';
import type { RunnerFigures } from './op-runner.ts';
import { liveOps, type LiveOps } from './phase-result.ts';

export interface WorkerSpec {
  strategyId: string;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  scenario: Scenario;
  seed: number;
  ledger: SharedLedger;
  control: SharedArrayBuffer;
  part: { index: number; of: number };
  /** the main thread's performance.timeOrigin: every time sent back is in its clock */
  originMs: number;
  progress: boolean;
}

export type ToWorker = { kind: 'start'; t0: number } | { kind: 'stop' };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'progress'; measured: number; failures: number; write: EncodedLatency; ops: LiveOps }
  | {
      kind: 'done';
      figures: RunnerFigures;
      reconnects: number;
      appCrashes: number;
      dropped: number;
      loadEnded: number;
      ackTimes: AckTimes;
      harness: LoopDelayReport;
    }
  | { kind: 'failed'; error: { name: string; message: string; code?: string } };

const port = parentPort!;
const spec = workerData as WorkerSpec;
// local performance.now() + shift = the main thread's performance.now() at the same instant
const shift = performance.timeOrigin - spec.originMs;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const next = () => new Promise<ToWorker>((resolve) => port.once('message', resolve));

async function main(): Promise<void> {
  const strategy = strategyById(spec.strategyId);
  if (!strategy) throw new Error(`load worker: unknown strategy ${spec.strategyId}`);
  // a view of the main thread's ledger: the counts are shared, the ack times heard here are not
  const ledger = new Ledger(spec.ledger);
  const share = await LoadShare.open({
    strategy,
    ctx: spec.ctx,
    pgUrl: spec.pgUrl,
    redisUrl: spec.redisUrl,
    scenario: spec.scenario,
    ledger,
    seed: spec.seed,
    control: new LoadControl(spec.control),
    part: spec.part,
  });
  post({ kind: 'ready' });
  const order = await next();
  if (order.kind === 'stop') {
    // another worker failed before the start: nothing to measure, only connections to close
    await share.close();
    return;
  }
  const t0 = order.t0 - shift;
  const wait = t0 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const runner = share.begin(t0);
  const loop = startLoopDelayMonitor({ cpu: 'thread' });
  const progress = spec.progress
    ? setInterval(() => post({ kind: 'progress', measured: runner.measuredCount(), failures: runner.failures, write: runner.stats.write.latency.encode(), ops: liveOps(runner) }), 500)
    : undefined;
  let dropped: number;
  try {
    dropped = await share.drive();
  } finally {
    if (progress) clearInterval(progress);
    await share.close();
  }
  const loadEnded = performance.now() + shift;
  const harness = loop.stop();
  const figures = runner.out(shift);
  const ackTimes = ledger.ackTimesOut(shift);
  const buffers = [ackTimes.users.buffer, ackTimes.at.buffer];
  if (figures.judge) buffers.push(figures.judge.missed.users.buffer, figures.judge.missed.index.buffer, figures.judge.missed.at.buffer);
  post({ kind: 'done', figures, reconnects: share.reconnects, appCrashes: share.appCrashes, dropped, loadEnded, ackTimes, harness }, buffers as ArrayBuffer[]);
}

main().catch((e: unknown) => {
  const err = e as { name?: string; message?: string; code?: unknown };
  post({
    kind: 'failed',
    error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) },
  });
});
