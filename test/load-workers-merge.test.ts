// What load workers merge, merged exactly: histograms through their encoding, per-second series,
// read verdicts and their staleness, and a ledger that real threads count into at once.
import { describe, it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
import { LatencyRecorder, SeriesRecorder } from '../harness/measure/histogram.ts';
import { Ledger, type AckTimes } from '../harness/measure/ledger.ts';
import { ReadJudge, type ReadStart } from '../harness/measure/read-bounds.ts';
import { LoadControl } from '../harness/load/load-control.ts';
import { mergeHarness } from '../harness/load/worker-pool.ts';
import type { LoopDelayReport } from '../harness/measure/loop-delay.ts';

/** a fixed spread of values from 1 µs to beyond the 60 s range */
function values(n: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    // mostly milliseconds, some long tails, a few beyond 60 s
    out.push(i % 97 === 0 ? 70_000_000 + x : i % 7 === 0 ? 1 + (x % 5_000_000) : 1 + (x % 20_000));
  }
  return out;
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

describe('merging encoded histograms', () => {
  for (const digits of [3, 2] as const) {
    it(`equals one histogram fed every value (${digits} digits)`, () => {
      const all = new LatencyRecorder(digits);
      const parts = [new LatencyRecorder(digits), new LatencyRecorder(digits), new LatencyRecorder(digits)];
      values(30_000, 7).forEach((v, i) => {
        all.record(v);
        parts[i % 3].record(v);
      });
      const merged = new LatencyRecorder(digits);
      // through plain data, as a worker thread sends it (a structured clone: JSON is stricter)
      for (const p of parts) merged.mergeEncoded(JSON.parse(JSON.stringify(p.encode())));
      expect(merged.count).toBe(all.count);
      expect(merged.clamped).toBe(all.clamped);
      expect(merged.clamped).toBeGreaterThan(0);
      expect(merged.summary()).toEqual(all.summary());
      for (const p of PERCENTILES) expect([p, merged.percentileMs(p)]).toEqual([p, all.percentileMs(p)]);
    });
  }

  it('an empty one adds nothing', () => {
    const a = new LatencyRecorder();
    a.record(1234);
    a.mergeEncoded(new LatencyRecorder().encode());
    expect(a.count).toBe(1);
    expect(a.summary().max).toBe(1.234);
  });

  it('per-second series merge as if one recorder had seen every operation', () => {
    const all = new SeriesRecorder();
    const parts = [new SeriesRecorder(), new SeriesRecorder()];
    values(5000, 3).forEach((v, i) => {
      const second = i % 5;
      const op = (['write', 'read', 'delete'] as const)[i % 3];
      const failed = i % 11 === 0;
      all.record(second, op, v, failed);
      parts[i % 2].record(second, op, v, failed);
    });
    const merged = new SeriesRecorder();
    for (const p of parts) merged.mergeEncoded(p.encode());
    expect(merged.points()).toEqual(all.points());
  });
});

describe('read verdicts merged from several judges', () => {
  /** two threads' ledgers over the same shared counts, and one that heard everything */
  function scene() {
    const initial = new Map([
      [1, 2],
      [2, 0],
    ]);
    const single = new Ledger(2, initial);
    const shared = new Ledger(2, initial);
    const a = new Ledger(shared.shared());
    const b = new Ledger(shared.shared());
    return { single, shared, a, b };
  }

  it('find the same reads out of bounds, and time their staleness against every thread\'s acks', () => {
    const { single, shared, a, b } = scene();
    const oneJudge = new ReadJudge(single, new LatencyRecorder());
    const judgeA = new ReadJudge(a, new LatencyRecorder());
    const judgeB = new ReadJudge(b, new LatencyRecorder());
    const into: ReadStart = { at: 0, insAcked: 0, delAcked: 0 };
    const both = (f: (l: Ledger) => void, l: Ledger) => {
      f(single);
      f(l);
    };
    // thread A acknowledges two inserts of user 1 at 10 and 20 ms, thread B one at 30 ms
    for (const [l, at] of [
      [a, 10],
      [a, 20],
      [b, 30],
    ] as const) {
      both((x) => x.insertBegun(1), l);
      both((x) => x.insertAcked(1, at), l);
    }
    // B reads user 1 at 50 ms and sees 3 (initial 2 + one insert): it missed two, the latest
    // it can have missed is the second, acknowledged by A at 20 ms: 30 ms stale
    for (const j of [oneJudge, judgeB]) {
      j.begin(1, 50, into);
      j.judge(1, 3, into);
    }
    // A reads user 2 at 60 ms and sees 1 while nothing was ever inserted: above
    both((x) => x.deleteBegun(2), a);
    for (const j of [oneJudge, judgeA]) {
      j.begin(2, 60, into);
      j.judge(2, 1, into);
    }
    // what the main thread does with what each worker sends
    const merged = new ReadJudge(shared, new LatencyRecorder());
    for (const l of [a, b]) shared.addAckTimes(l.ackTimesOut());
    for (const j of [judgeA, judgeB]) merged.merge(j.out());
    const want = oneJudge.result();
    expect(want.below).toBe(1);
    expect(want.above).toBe(1);
    expect(want.staleMs).toMatchObject({ max: 30, reads: 1 });
    expect(merged.result()).toEqual(want);
    expect(shared.truthRange()).toEqual(single.truthRange());
  });

  it('ack times shipped from threads keep their order by time, whatever order they arrive in', () => {
    const l = new Ledger(1, new Map());
    const ship = (at: number[]): AckTimes => ({ users: Int32Array.from(at, () => 1), at: Float64Array.from(at) });
    l.addAckTimes(ship([5, 30]));
    l.addAckTimes(ship([10, 20]));
    expect([0, 1, 2, 3, 4].map((k) => l.ackTime(1, k))).toEqual([5, 10, 20, 30, undefined]);
  });

  it('ack times shift into the receiver\'s clock and leave the sender', () => {
    const l = new Ledger(3, new Map());
    l.insertAcked(2, 100);
    l.insertAcked(3, 50);
    const out = l.ackTimesOut(1000);
    expect([Array.from(out.users), Array.from(out.at)]).toEqual([
      [2, 3],
      [1100, 1050],
    ]);
    expect(l.ackTime(2, 0)).toBeUndefined();
    expect(l.totalInsAcked).toBe(2);
  });
});

describe('a ledger shared by threads', () => {
  it('loses no count when two worker threads count into it at once', async () => {
    const users = 8; // few users: the threads collide on the same counters all the time
    const rounds = 200_000;
    const ledger = new Ledger(users, new Map([[1, 5]]));
    const go = new SharedArrayBuffer(4);
    const threads = [1, 2].map((seed) => new Worker(new URL('./support/ledger-hammer.mjs', import.meta.url), { workerData: { ledger: ledger.shared(), users, rounds, seed, go } }));
    const message = (w: Worker) =>
      new Promise<unknown>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    await Promise.all(threads.map(message));
    const done = threads.map(message) as Promise<AckTimes>[];
    Atomics.store(new Int32Array(go), 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    const acks = await Promise.all(done);
    const sum = (a: Int32Array) => a.reduce((x, y) => x + y, 0);
    expect(ledger.totalInsBegun).toBe(2 * rounds);
    expect(ledger.totalInsAcked).toBe(2 * rounds);
    expect(sum(ledger.insBegun)).toBe(2 * rounds);
    expect(sum(ledger.insAcked)).toBe(2 * rounds);
    expect(ledger.totalDelAcked).toBe(2 * (rounds / 4));
    expect(sum(ledger.delAcked)).toBe(2 * (rounds / 4));
    expect(ledger.inDoubt).toBe(2 * (rounds / 100));
    expect(ledger.truthRange()).toEqual({ lo: 5 + 2 * rounds - rounds / 2, hi: 5 + 2 * rounds - rounds / 2 });
    for (const a of acks) ledger.addAckTimes(a);
    for (let u = 1; u <= users; u++) {
      expect(ledger.ackTime(u, ledger.insAcked[u] - 1)).toBeDefined();
      expect(ledger.ackTime(u, ledger.insAcked[u])).toBeUndefined();
    }
  });
});

describe('the load control shared by threads', () => {
  it('admits at most maxInFlight and hands out each armed crash once', () => {
    const c = new LoadControl(2);
    const view = new LoadControl(c.buffer);
    expect([c.admit(2), view.admit(2), c.admit(2)]).toEqual([true, true, false]);
    view.release();
    expect(c.admit(2)).toBe(true);
    c.armCrashes(2);
    expect([view.takeCrash(), c.takeCrash(), view.takeCrash()]).toEqual([true, true, false]);
    view.setPid(1, 4242);
    expect(c.pids()).toEqual([0, 4242]);
    const ac = new AbortController();
    const unhook = c.follow(ac.signal);
    ac.abort();
    expect(view.aborted).toBe(true);
    unhook();
  });
});

describe('the harness figures of several workers', () => {
  const report = (p99: number, cpuPct: number, saturated: boolean): LoopDelayReport => ({
    loopDelayP99Ms: p99,
    loopDelayMaxMs: p99 * 2,
    loopDelayMeanMs: p99 / 2,
    cpuPct,
    saturated,
    ...(saturated ? { reason: `harness CPU ${cpuPct}% of a core` } : {}),
  });

  it('are saturated when any one worker was, with the worst loop delay and the process\'s CPU', () => {
    const calm = mergeHarness(report(1, 150, false), [report(1, 40, false), report(3, 60, false)]);
    expect(calm).toMatchObject({ saturated: false, loopDelayP99Ms: 3, loopDelayMaxMs: 6, cpuPct: 150 });
    expect(calm.workers).toHaveLength(2);
    const busy = mergeHarness(report(1, 120, false), [report(1, 40, false), report(2, 95, true)]);
    expect(busy.saturated).toBe(true);
    expect(busy.reason).toBe('worker 2: harness CPU 95% of a core');
  });
});
