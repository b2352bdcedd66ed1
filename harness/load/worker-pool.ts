// A phase's load in N worker threads (node:worker_threads), for load past one core. Each worker
// runs part i of N (load-share.ts): closed model, the clients whose index modulo N is i; open
// model, the arrivals whose index modulo N is i (see open-model.ts for maxInFlight). Keys and
// operations do not depend on N. All threads count into one ledger and one control block in
// shared memory, so the drift sampler here and every worker's read judge see the live truth.
// At the end each worker sends what it measured as plain data and it is merged exactly: counts
// add up, histograms add bucket by bucket, acknowledgment times join the ledger here, and the
// staleness of reads found below their bound is timed here against all of them.
import { Worker } from 'node:worker_threads';
import { strategyById } from '../strategies/index.ts';
import { UsageError } from '../errors.ts';
import { LatencyRecorder, type EncodedLatency } from '../measure/histogram.ts';
import { startLoopDelayMonitor, type LoopDelayReport } from '../measure/loop-delay.ts';
import type { DrivenPhase, HarnessFigures, PhaseOptions } from './driver.ts';
import type { FromWorker, ToWorker, WorkerSpec } from './load-worker.ts';
import { OpRunner } from './op-runner.ts';
import { LoadControl } from './load-control.ts';
import { clientCount, phaseWindow } from './phase-window.ts';
import { addLiveOps, assemblePhase, emptyLiveOps, loadHandle, startProgress, type LiveOps } from './phase-result.ts';

const ENTRY = new URL('./load-worker.mjs', import.meta.url);
/** time for the start message to reach every worker before the phase's clock starts */
const START_MARGIN_MS = 50;

type Done = Extract<FromWorker, { kind: 'done' }>;

/** A worker's error as the main thread would have thrown it: a UsageError stays one (exit code
 *  2), and a Postgres error keeps its SQLSTATE, which decides how a failure is reported. */
function rebuild(e: Extract<FromWorker, { kind: 'failed' }>['error']): Error {
  const err = e.name === 'UsageError' ? new UsageError(e.message) : Object.assign(new Error(e.message), { name: e.name });
  return e.code !== undefined ? Object.assign(err, { code: e.code }) : err;
}

/** One worker thread and the messages it sent, waited for by kind. */
class LoadWorker {
  readonly thread: Worker;
  lastProgress: { measured: number; failures: number; write: EncodedLatency; ops: LiveOps } | null = null;
  private readonly waiting = new Map<FromWorker['kind'], (m: FromWorker) => void>();
  private readonly got = new Map<FromWorker['kind'], FromWorker>();
  private failure: Error | null = null;
  private onFailure: ((e: Error) => void) | null = null;
  readonly exited: Promise<void>;

  constructor(spec: WorkerSpec) {
    this.thread = new Worker(ENTRY, { workerData: spec });
    this.thread.on('message', (m: FromWorker) => {
      if (m.kind === 'progress') this.lastProgress = m;
      else if (m.kind === 'failed') this.fail(rebuild(m.error));
      else this.deliver(m);
    });
    this.thread.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) =>
      this.thread.once('exit', (code) => {
        this.fail(new Error(`load worker ${spec.part.index + 1} of ${spec.part.of} exited (code ${code}) before it finished`));
        resolve();
      }),
    );
  }

  private deliver(m: FromWorker): void {
    const w = this.waiting.get(m.kind);
    if (w) w(m);
    else this.got.set(m.kind, m);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.onFailure?.(e);
  }

  /** the message of this kind, or the worker's failure */
  wait<K extends FromWorker['kind']>(kind: K): Promise<Extract<FromWorker, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const got = this.got.get(kind);
      if (got) return resolve(got as Extract<FromWorker, { kind: K }>);
      if (this.failure) return reject(this.failure);
      this.waiting.set(kind, (m) => resolve(m as Extract<FromWorker, { kind: K }>));
      this.onFailure = reject;
    });
  }

  send(m: ToWorker): void {
    this.thread.postMessage(m);
  }
}

/** The harness's figures over a load in worker threads: a worker whose event loop lagged or was
 *  busy ≥ 90% of the time held its clients back, so any one saturated marks the phase. */
export function mergeHarness(proc: LoopDelayReport, workers: LoopDelayReport[]): HarnessFigures {
  const worst = (k: 'loopDelayP99Ms' | 'loopDelayMaxMs' | 'loopDelayMeanMs') => Math.max(0, ...workers.map((w) => w[k]));
  const reasons = workers.flatMap((w, i) => (w.saturated ? [`worker ${i + 1}: ${w.reason ?? 'saturated'}`] : []));
  return {
    loopDelayP99Ms: worst('loopDelayP99Ms'),
    loopDelayMaxMs: worst('loopDelayMaxMs'),
    loopDelayMeanMs: worst('loopDelayMeanMs'),
    // every thread of the process, in % of one core: above 100 with several workers
    cpuPct: proc.cpuPct,
    saturated: reasons.length > 0,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    workers,
  };
}

export async function runInWorkers(o: PhaseOptions, n: number): Promise<DrivenPhase> {
  // a worker imports its strategy by id: one made up in a test cannot cross the thread
  if (strategyById(o.strategy.id) !== o.strategy) throw new Error(`load workers need a registered strategy; ${o.strategy.id} is not the registry's own`);
  const s = o.scenario;
  const control = new LoadControl(clientCount(s));
  const unhook = control.follow(o.signal);
  const workers: LoadWorker[] = [];
  for (let i = 0; i < n; i++) {
    workers.push(
      new LoadWorker({
        strategyId: o.strategy.id,
        ctx: o.ctx,
        pgUrl: o.pgUrl,
        redisUrl: o.redisUrl,
        scenario: s,
        seed: o.seed,
        ledger: o.ledger.shared(),
        control: control.buffer,
        part: { index: i, of: n },
        originMs: performance.timeOrigin,
        progress: o.onProgress !== undefined,
      }),
    );
  }
  try {
    return await drive(o, workers, control);
  } catch (e) {
    // the others stop too (before the start, or through the shared flag), and close their
    // connections before they go, as the phase fails as it would in one thread
    control.abort();
    for (const w of workers) w.send({ kind: 'stop' });
    await Promise.race([Promise.all(workers.map((w) => w.exited)), new Promise((r) => setTimeout(r, 10_000).unref())]);
    throw e;
  } finally {
    unhook();
    await Promise.all(workers.map((w) => w.thread.terminate()));
  }
}

async function drive(o: PhaseOptions, workers: LoadWorker[], control: LoadControl): Promise<DrivenPhase> {
  const s = o.scenario;
  await Promise.all(workers.map((w) => w.wait('ready')));
  const t0 = performance.now() + START_MARGIN_MS;
  for (const w of workers) w.send({ kind: 'start', t0 });
  const win = phaseWindow(s, t0);
  o.onLoadStart?.(loadHandle(o, control, win));
  const loop = startLoopDelayMonitor();
  const stopProgress = startProgress(o, win, () => {
    const write = new LatencyRecorder();
    let measured = 0;
    let failures = 0;
    const ops = emptyLiveOps();
    for (const w of workers) {
      if (!w.lastProgress) continue;
      measured += w.lastProgress.measured;
      failures += w.lastProgress.failures;
      write.mergeEncoded(w.lastProgress.write);
      addLiveOps(ops, w.lastProgress.ops);
    }
    return { measured, failures, write, ops };
  });
  let dones: Done[];
  try {
    dones = await Promise.all(workers.map((w) => w.wait('done')));
  } finally {
    stopProgress();
  }
  const harness = mergeHarness(
    loop.stop(),
    dones.map((d) => d.harness),
  );
  // a runner that runs nothing: it holds the merged figures, and judges reads with this thread's
  // ledger, which is the one that gets every acknowledgment time
  const runner = new OpRunner(o.strategy, o.ledger, s.data.sessionsPerUser, s.options.maxRetries, { measureStart: win.measureStart, end: win.end, seriesSecond: () => 0 }, async () => {});
  // every acknowledgment time first: the merged judge times stale reads against all of them
  for (const d of dones) o.ledger.addAckTimes(d.ackTimes);
  for (const d of dones) runner.merge(d.figures);
  const sum = (k: 'reconnects' | 'appCrashes' | 'dropped') => dones.reduce((a, d) => a + d[k], 0);
  const result = assemblePhase(o, runner, win, {
    reconnects: sum('reconnects'),
    appCrashes: sum('appCrashes'),
    dropped: sum('dropped'),
    loadEnded: Math.max(...dones.map((d) => d.loadEnded)),
    aborted: control.aborted,
    harness,
  });
  return { result, runner };
}
