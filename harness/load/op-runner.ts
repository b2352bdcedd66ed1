// One operation of the load, by name, with its retries: what it does to the strategy, what it
// tells the ledger, and what it adds to the figures. Figures (latency, attempts, judged reads)
// count only when the operation's intended start lies in the measured part; the ledger hears of
// everything, warm-up included, because the counters do.
import { performance } from 'node:perf_hooks';
import type { OpName, OpResult } from '../results/types.ts';
import type { Answer, Conn, RemoveTarget, Strategy } from '../strategies/types.ts';
import type { Ledger } from '../measure/ledger.ts';
import { LatencyRecorder, SeriesRecorder, type EncodedLatency, type EncodedSeries } from '../measure/histogram.ts';
import { ReadJudge, type JudgedReads, type ReadStart } from '../measure/read-bounds.ts';
import { classifyError, type ErrorKind } from './error-kind.ts';
import { OPS } from './ops.ts';

/** One load connection and the scratch objects its operations reuse. */
export interface Client {
  conn: Conn;
  index: number;
  answer: Answer;
  target: RemoveTarget;
  readStart: ReadStart;
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

/** An OpRunner's figures as plain data, for the runner of another thread (see OpRunner.out). */
export interface RunnerFigures {
  stats: Record<OpName, Omit<OpStats, 'latency' | 'service'> & { latency: EncodedLatency; service: EncodedLatency }>;
  series: EncodedSeries;
  judge: JudgedReads | null;
  failures: number;
  lastMeasuredDone: number;
}

export interface Window {
  /** performance.now() ms of the measured part's start and end */
  measureStart: number;
  end: number;
  /** which second of the series an operation belongs to (closed: its start; open: its end) */
  seriesSecond(intended: number, done: number): number;
}

/** What each operation does to the strategy; true when it changed a row (a delete that found
 *  nothing wrote nothing, so it stays out of the per-write server costs). */
type Perform = (cl: Client, u: number, sessionId: number, measured: boolean, start: number) => Promise<boolean>;

export class OpRunner {
  readonly stats: Record<OpName, OpStats>;
  readonly series = new SeriesRecorder();
  readonly judge: ReadJudge | null;
  /** failures so far, measured or not (for the progress line) */
  failures = 0;
  lastMeasuredDone: number;
  private readonly perform: Record<OpName, Perform>;

  constructor(
    private readonly strategy: Strategy,
    private readonly ledger: Ledger,
    private readonly sessionsPerUser: number,
    private readonly maxRetries: number,
    private readonly w: Window,
    /** called after a failure that the connection must be replaced for */
    private readonly reconnect: (cl: Client) => Promise<void>,
  ) {
    const fresh = (): OpStats => ({
      completed: 0,
      dropped: 0,
      latency: new LatencyRecorder(),
      service: new LatencyRecorder(),
      count: 0,
      errors: 0,
      attempts: 0,
      retries: 0,
      errorsByKind: {},
    });
    this.stats = { write: fresh(), read: fresh(), delete: fresh() };
    this.judge = strategy.readsCounter ? new ReadJudge(ledger, new LatencyRecorder()) : null;
    this.lastMeasuredDone = w.measureStart;
    this.perform = {
      write: async (cl, u, sessionId) => {
        cl.answer.userId = u;
        cl.answer.sessionId = sessionId;
        await strategy.write(cl.conn, cl.answer);
        ledger.insertAcked(u, performance.now());
        return true;
      },
      read: async (cl, u, _s, measured, start) => {
        if (measured) this.judge?.begin(u, start, cl.readStart);
        const v = await strategy.read(cl.conn, u);
        if (measured) this.judge?.judge(u, v, cl.readStart);
        return true;
      },
      delete: async (cl, u, sessionId) => {
        cl.target.userId = u;
        cl.target.sessionId = sessionId;
        const removed = await strategy.remove(cl.conn, cl.target);
        ledger.deleteAcked(u, removed);
        return removed;
      },
    };
  }

  private measured(intended: number): boolean {
    return intended >= this.w.measureStart && intended < this.w.end;
  }

  private began(op: OpName, u: number): void {
    if (op === 'write') this.ledger.insertBegun(u);
    else if (op === 'delete') this.ledger.deleteBegun(u);
  }

  /** A write or delete whose statements are committed one by one must not run again whole. */
  private retryable(op: OpName, k: ErrorKind, attempt: number): boolean {
    return k.action === 'retry' && attempt < this.maxRetries && (op === 'read' || !this.strategy.multiStatement);
  }

  async run(cl: Client, op: OpName, u: number, intended: number): Promise<void> {
    const st = this.stats[op];
    const measured = this.measured(intended);
    const sessionId = u * this.sessionsPerUser; // the user's active session: the last one (sql/seed.sql)
    this.began(op, u);
    for (let attempt = 0; ; attempt++) {
      const start = performance.now();
      if (measured) st.attempts++;
      try {
        const counted = await this.perform[op](cl, u, sessionId, measured, start);
        const done = performance.now();
        if (counted) st.completed++;
        if (measured) {
          st.count++;
          if (done > this.lastMeasuredDone) this.lastMeasuredDone = done;
          st.latency.record(Math.max(1, Math.round((done - intended) * 1000)));
          st.service.record(Math.max(1, Math.round((done - start) * 1000)));
          this.series.record(this.w.seriesSecond(intended, done), op, Math.round((done - intended) * 1000), false);
        }
        return;
      } catch (e) {
        const k = classifyError(e);
        if (this.retryable(op, k, attempt)) {
          if (measured) st.retries++;
          continue;
        }
        this.failed(op, u, intended, measured, k.kind);
        if (k.action === 'reconnect') await this.reconnect(cl);
        return;
      }
    }
  }

  private failed(op: OpName, u: number, intended: number, measured: boolean, kind: string): void {
    // a write or delete that failed may still have happened (or half happened)
    if (op !== 'read') this.ledger.operationInDoubt();
    if (op === 'write') this.ledger.insertFailed(u);
    this.failures++;
    if (!measured) return;
    const st = this.stats[op];
    const done = performance.now();
    if (done > this.lastMeasuredDone) this.lastMeasuredDone = done;
    st.errors++;
    st.errorsByKind[kind] = (st.errorsByKind[kind] ?? 0) + 1;
    this.series.record(this.w.seriesSecond(intended, done), op, 0, true);
  }

  /** An open-model arrival that found maxInFlight operations waiting: never sent, and counted
   *  as an error of kind 'dropped' when it was due in the measured part. */
  drop(op: OpName, intended: number): void {
    if (!this.measured(intended)) return;
    const st = this.stats[op];
    st.dropped++;
    st.errors++;
    st.errorsByKind.dropped = (st.errorsByKind.dropped ?? 0) + 1;
    this.series.record(Math.max(0, Math.floor((intended - this.w.measureStart) / 1000)), op, 0, true);
  }

  /** Measured operations that completed so far, all kinds. */
  measuredCount(): number {
    return OPS.reduce((a, op) => a + this.stats[op].count, 0);
  }

  /** Each operation's figures; `measuredSec` is what throughput divides by. Operations the mix
   *  does not have and that were never attempted are left out. */
  results(mix: Record<OpName, number>, measuredSec: number): Partial<Record<OpName, OpResult>> {
    const ops: Partial<Record<OpName, OpResult>> = {};
    for (const name of OPS) {
      const st = this.stats[name];
      if (mix[name] <= 0 && st.attempts === 0) continue;
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
    }
    return ops;
  }

  /** Everything this runner measured, for the runner of another thread to merge exactly;
   *  `shiftMs` turns this thread's performance.now() into the receiver's. */
  out(shiftMs = 0): RunnerFigures {
    const stats = {} as RunnerFigures['stats'];
    for (const op of OPS) {
      const st = this.stats[op];
      stats[op] = { ...st, errorsByKind: { ...st.errorsByKind }, latency: st.latency.encode(), service: st.service.encode() };
    }
    return {
      stats,
      series: this.series.encode(),
      judge: this.judge ? this.judge.out(shiftMs) : null,
      failures: this.failures,
      lastMeasuredDone: this.lastMeasuredDone + shiftMs,
    };
  }

  /** Adds another thread's figures: counts add up, histograms merge bucket by bucket. */
  merge(f: RunnerFigures): void {
    for (const op of OPS) {
      const st = this.stats[op];
      const o = f.stats[op];
      st.completed += o.completed;
      st.dropped += o.dropped;
      st.count += o.count;
      st.errors += o.errors;
      st.attempts += o.attempts;
      st.retries += o.retries;
      for (const [k, n] of Object.entries(o.errorsByKind)) st.errorsByKind[k] = (st.errorsByKind[k] ?? 0) + n;
      st.latency.mergeEncoded(o.latency);
      st.service.mergeEncoded(o.service);
    }
    this.series.mergeEncoded(f.series);
    if (f.judge) this.judge?.merge(f.judge);
    this.failures += f.failures;
    if (f.lastMeasuredDone > this.lastMeasuredDone) this.lastMeasuredDone = f.lastMeasuredDone;
  }

  completed(): Record<OpName, number> {
    return { write: this.stats.write.completed, read: this.stats.read.completed, delete: this.stats.delete.completed };
  }
}
