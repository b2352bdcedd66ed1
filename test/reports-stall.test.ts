// A real stall, measured and then reported: while a phase runs against the real Postgres, another
// connection holds ACCESS EXCLUSIVE on the strategy's table for about two seconds. The per-second
// series must keep the seconds in which nothing completed (count 0, no latency), and the
// latency-over-time chart must show the stall where it happened.
import { afterEach, describe, expect, it } from 'vitest';
import { runPhase, type PhaseResult } from '../harness/load/driver.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { truthByUser } from '../harness/measure/drift.ts';
import { connectPg } from '../harness/db/connect.ts';
import type { Results, SeriesPoint } from '../harness/results/types.ts';
import { renderHtml } from '../reports/html/render.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import { latencyOverTime, idleSeconds } from '../reports/html/charts/latency-over-time.ts';
import { buildResults } from './reports-fixture.ts';
import { deployForTest, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl } from './support/env.ts';

const DATA = { users: 50, sessionsPerUser: 1, answersPerUser: 2, answersSkew: 0 };
const STALL_MS = 2200;

let d: DeployedStrategy | undefined;
afterEach(async () => {
  await d?.teardown();
  d = undefined;
});

function scenario(load: Record<string, unknown>) {
  return scenarioFromObject({
    name: 'stall',
    strategies: ['baseline'],
    data: DATA,
    load,
    mix: { write: 80, read: 20, delete: 0 },
    phases: { warmup: 0, duration: 5 },
  });
}

/** Runs the phase and, a second into it, freezes user_answers_new for STALL_MS. */
async function phaseWithStall(sc: ReturnType<typeof scenario>): Promise<PhaseResult> {
  d = await deployForTest('baseline', DATA);
  const ledger = new Ledger(DATA.users, await truthByUser(d.conn.pg));
  const locker = await connectPg(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:locker' });
  try {
    const phase = runPhase({ strategy: d.strategy, ctx: d.ctx, pgUrl: testDatabaseUrl(), scenario: sc, ledger, seed: 11 });
    await new Promise((r) => setTimeout(r, 1000));
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE user_answers_new IN ACCESS EXCLUSIVE MODE');
    await new Promise((r) => setTimeout(r, STALL_MS));
    await locker.query('COMMIT');
    return await phase;
  } finally {
    await locker.end();
  }
}

/** The phase as a run's results, so the reports draw it as they would a real run. */
function asResults(sc: ReturnType<typeof scenario>, r: PhaseResult): Results {
  return buildResults((res) => {
    res.run.scenario = sc;
    res.strategies = [
      { id: 'baseline', title: 'Bare INSERT, no counter', origin: 'beyond the seed', status: 'ok', counters: [], ops: r.ops, series: r.series },
    ];
  });
}

const sum = (pts: SeriesPoint[], f: (p: SeriesPoint) => number) => pts.reduce((a, p) => a + f(p), 0);

/** Every second of the window has one point per operation of the mix, and they add up to the
 *  phase's own counts. */
function expectWholeSeries(r: PhaseResult): void {
  const seconds = [...new Set(r.series.map((p) => p.t))];
  expect(seconds.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
  for (const t of seconds) expect(r.series.filter((p) => p.t === t).map((p) => p.op), `second ${t}`).toEqual(['write', 'read']);
  for (const op of ['write', 'read'] as const) {
    const pts = r.series.filter((p) => p.op === op);
    expect(sum(pts, (p) => p.count), op).toBe(r.ops[op]!.count);
    expect(sum(pts, (p) => p.errors), op).toBe(r.ops[op]!.errors);
  }
}

describe('a stall in the per-second series and the report', () => {
  it('open model: seconds with nothing completed are zeros without latency, and the backlog shows as a spike after them', async () => {
    const sc = scenario({ model: 'open', rate: 200, clients: 2, maxInFlight: 2000 });
    const r = await phaseWithStall(sc);
    expectWholeSeries(r);
    // every arrival of the window was served, none dropped: the stall is all in the latency
    expect(r.ops.write!.count + r.ops.read!.count).toBe(1000);
    expect(r.droppedArrivals).toBe(0);

    const writes = r.series.filter((p) => p.op === 'write');
    // a 2.2 s freeze holds at least one whole second in which no write came back
    const empty = writes.filter((p) => p.count === 0);
    expect(empty.length).toBeGreaterThanOrEqual(1);
    for (const p of empty) expect([p.p50, p.p99]).toEqual([null, null]);
    // the operations that queued through it completed right after it, having waited most of it
    const firstAfter = writes.find((p) => p.t > empty.at(-1)!.t && p.count > 0)!;
    expect(firstAfter.p99).toBeGreaterThan(STALL_MS / 2);

    // the chart's data: a break where nothing completed, the spike after it, a grey band
    const results = asResults(sc, r);
    const s = results.strategies[0];
    const p99 = latencyOverTime(s).filter((v) => v.op === 'write' && v.percentile === 'p99');
    for (const p of empty) expect(p99.find((v) => v.second === p.t)!.ms).toBeNull();
    const peak = p99.reduce((a, v) => ((v.ms ?? 0) > (a.ms ?? 0) ? v : a));
    // the oldest waiters come back first; a drain that crosses into the next second may tie
    expect([firstAfter.t, firstAfter.t + 1]).toContain(peak.second);
    expect(peak.ms).toBeGreaterThan(STALL_MS / 2);
    for (const p of r.series.filter((x) => x.count === 0 && r.series.every((y) => y.t !== x.t || y.count === 0))) {
      expect(idleSeconds(s)).toContainEqual({ from: p.t, to: p.t + 1 });
    }
    const html = renderHtml(results);
    expect(html).toContain('id="chart-latency-over-time-baseline"');
    expect(renderMarkdown(results)).toContain("measured from each operation's intended start");
  });

  it('closed model: the stall is lost throughput (seconds with nothing started), and the report says so', async () => {
    const sc = scenario({ model: 'closed', clients: 2 });
    const r = await phaseWithStall(sc);
    expectWholeSeries(r);
    const writes = r.series.filter((p) => p.op === 'write');
    // the clients waited instead of sending: whole seconds with no operation at all
    const empty = writes.filter((p) => p.count === 0 && p.errors === 0);
    expect(empty.length).toBeGreaterThanOrEqual(1);
    for (const p of empty) expect([p.p50, p.p99]).toEqual([null, null]);
    // only the write each client had sent waited through it; a closed client sends nothing more
    expect(r.ops.write!.latencyMs.max).toBeGreaterThan(STALL_MS / 2);
    const results = asResults(sc, r);
    const md = renderMarkdown(results);
    expect(md).toContain('**Closed model, 2 clients.**');
    expect(md).not.toContain('intended start');
    expect(renderHtml(results)).toContain('In the closed model a stall shows mostly as grey seconds');
  });
});
