import { describe, it, expect } from 'vitest';
import { LatencyRecorder, SeriesRecorder } from '../harness/measure/histogram.ts';
import { startLoopDelayMonitor } from '../harness/measure/loop-delay.ts';

describe('LatencyRecorder', () => {
  it('summarises known values in ms', () => {
    const r = new LatencyRecorder();
    // 1..1000 ms, one each
    for (let ms = 1; ms <= 1000; ms++) r.record(ms * 1000);
    expect(r.count).toBe(1000);
    const s = r.summary();
    const near = (a: number, b: number) => expect(Math.abs(a - b) / b).toBeLessThan(0.002);
    near(s.mean, 500.5);
    near(s.p50, 500);
    near(s.p95, 950);
    near(s.p99, 990);
    near(s.p999!, 999);
    near(s.max, 1000);
  });

  it('keeps microsecond resolution for small values', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 99; i++) r.record(123);
    r.record(456);
    const s = r.summary();
    expect(s.p50).toBe(0.123);
    expect(s.max).toBe(0.456);
  });

  it('merges across clients, resets, and is all zero when empty', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 0; i < 90; i++) a.record(1000);
    for (let i = 0; i < 10; i++) b.record(50_000);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.summary().p50).toBe(1);
    expect(a.summary().p99).toBeCloseTo(50, 1);
    a.reset();
    expect(a.count).toBe(0);
    expect(a.summary()).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0 });
  });

  it('clamps values beyond 60 s instead of throwing', () => {
    const r = new LatencyRecorder();
    r.record(120_000_000);
    r.record(0);
    expect(r.count).toBe(2);
    expect(r.clamped).toBe(1);
    expect(r.summary().max).toBeCloseTo(60_000, -2);
  });
});

describe('SeriesRecorder', () => {
  it('gives count, errors, p50 and p99 per second and operation', () => {
    const s = new SeriesRecorder();
    for (let i = 1; i <= 100; i++) s.record(0, 'write', i * 1000);
    s.record(0, 'read', 200);
    s.error(0, 'write');
    s.record(2, 'write', 5000);
    s.record(2, 'write', 0, true);
    const p = s.points();
    expect(p.map((x) => [x.t, x.op, x.count, x.errors])).toEqual([
      [0, 'write', 100, 1],
      [0, 'read', 1, 0],
      [1, 'write', 0, 0],
      [1, 'read', 0, 0],
      [2, 'write', 1, 1],
      [2, 'read', 0, 0],
    ]);
    expect(Math.abs(p[0].p50! - 50) / 50).toBeLessThan(0.01);
    expect(Math.abs(p[0].p99! - 99) / 99).toBeLessThan(0.01);
    expect(p[1].p50).toBe(0.2);
  });

  it('keeps seconds in which nothing completed, with count 0 and no latency', () => {
    // the mix has writes and reads; a stall from second 1 to 3, then the backlog drains late
    const s = new SeriesRecorder();
    s.record(0, 'write', 800);
    s.record(0, 'read', 200);
    s.record(4, 'write', 3_200_000);
    s.error(4, 'read');
    const p = s.points(3, ['write', 'read']);
    expect(p.map((x) => [x.t, x.op, x.count, x.errors, x.p50, x.p99])).toEqual([
      // a 2-digit histogram per second: within 1%
      [0, 'write', 1, 0, expect.closeTo(0.8, 2), expect.closeTo(0.8, 2)],
      [0, 'read', 1, 0, 0.2, 0.2],
      [1, 'write', 0, 0, null, null],
      [1, 'read', 0, 0, null, null],
      [2, 'write', 0, 0, null, null],
      [2, 'read', 0, 0, null, null],
      [3, 'write', 0, 0, null, null],
      [3, 'read', 0, 0, null, null],
      // past the window: the drain of the backlog, up to the last completion
      [4, 'write', 1, 0, expect.closeTo(3200, -2), expect.closeTo(3200, -2)],
      // failures only: still no latency
      [4, 'read', 0, 1, null, null],
    ]);
  });

  it('covers the whole window even when nothing at all completed', () => {
    const s = new SeriesRecorder();
    expect(s.points(2.5, ['write']).map((x) => [x.t, x.op, x.count, x.p99])).toEqual([
      [0, 'write', 0, null],
      [1, 'write', 0, null],
      [2, 'write', 0, null],
    ]);
    expect(new SeriesRecorder().points(0, ['write'])).toEqual([]);
  });

  it('merges', () => {
    const a = new SeriesRecorder();
    const b = new SeriesRecorder();
    a.record(1, 'delete', 1000);
    b.record(1, 'delete', 3000);
    b.record(3, 'read', 1000);
    a.merge(b);
    expect(a.points(0, ['write']).map((x) => [x.t, x.op, x.count])).toEqual([
      [0, 'write', 0],
      [0, 'read', 0],
      [0, 'delete', 0],
      [1, 'write', 0],
      [1, 'read', 0],
      [1, 'delete', 2],
      [2, 'write', 0],
      [2, 'read', 0],
      [2, 'delete', 0],
      [3, 'write', 0],
      [3, 'read', 1],
      [3, 'delete', 0],
    ]);
  });
});

describe('loop-delay monitor', () => {
  it('reports an idle loop and marks a blocked one saturated', async () => {
    const idle = startLoopDelayMonitor();
    await new Promise((r) => setTimeout(r, 300));
    const quiet = idle.stop();
    // not asserted unsaturated: other work on a shared 2-core machine may delay even an idle loop
    expect(quiet.loopDelayP99Ms).toBeGreaterThanOrEqual(0);
    expect(quiet.cpuPct).toBeLessThan(90);

    const busy = startLoopDelayMonitor();
    const until = Date.now() + 400;
    await new Promise<void>((resolve) => {
      const spin = () => {
        const s = Date.now();
        while (Date.now() - s < 50) {
          /* block the loop */
        }
        if (Date.now() < until) setImmediate(spin);
        else resolve();
      };
      spin();
    });
    const r = busy.stop();
    expect(r.saturated).toBe(true);
    expect(r.reason).toBeTruthy();
    expect(r.loopDelayMaxMs).toBeGreaterThan(20);
    // stop is idempotent
    expect(busy.stop()).toBe(r);
  });
});
