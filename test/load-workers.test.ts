// The load in worker threads against a real Postgres: two workers give the same counts, ledger
// and drift verdicts as one, their figures merge exactly, and the fault hooks reach them.
import { describe, it, expect, afterEach } from 'vitest';
import { drivePhase, runPhase, type LoadHandle } from '../harness/load/driver.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { exactCheck, truthByUser } from '../harness/measure/drift.ts';
import { OPS } from '../harness/load/ops.ts';
import { deployForTest, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl } from './support/env.ts';

const deployed: DeployedStrategy[] = [];
afterEach(async () => {
  for (const d of deployed.splice(0)) await d.teardown();
});

const DATA = { users: 50, sessionsPerUser: 1, answersPerUser: 3, answersSkew: 0 };

async function deploy(id: string): Promise<DeployedStrategy> {
  const d = await deployForTest(id, DATA);
  deployed.push(d);
  return d;
}

function scenario(extra: Record<string, unknown>) {
  return scenarioFromObject({
    name: 'workers-test',
    data: DATA,
    mix: { write: 60, read: 30, delete: 10 },
    phases: { warmup: 0, duration: 3 },
    ...extra,
  });
}

async function phase(d: DeployedStrategy, sc: ReturnType<typeof scenario>, extra: { onLoadStart?: (h: LoadHandle) => void; signal?: AbortSignal } = {}) {
  const ledger = new Ledger(DATA.users, await truthByUser(d.conn.pg));
  const driven = await drivePhase({ strategy: d.strategy, ctx: d.ctx, pgUrl: testDatabaseUrl(), scenario: sc, ledger, seed: 11, ...extra });
  return { ...driven, ledger };
}

const rows = async (d: DeployedStrategy) => Number((await d.conn.pg.query('SELECT count(*)::int AS n FROM user_answers_new')).rows[0].n);

describe('--workers', () => {
  it('two workers give one worker\'s counts, ledger and drift verdicts, with histograms merged exactly', async () => {
    // a low fixed rate: every arrival is served, one at a time, so both runs do the same thing
    const load = { model: 'open', rate: 40, clients: 4 };
    const one = await phase(await deploy('trigger-upsert'), scenario({ load: { ...load, workers: 1 } }));
    const d2 = await deploy('trigger-upsert');
    const two = await phase(d2, scenario({ load: { ...load, workers: 2 } }));
    const d1 = deployed[0];

    // 3 s at 40/s: 120 arrivals, all served
    const total = (r: typeof one) => OPS.reduce((a, op) => a + (r.result.ops[op]?.count ?? 0), 0);
    expect(total(one)).toBe(120);
    for (const op of OPS) {
      const a = one.result.ops[op]!;
      const b = two.result.ops[op]!;
      expect([op, b.count, b.errors, b.attempts, b.dropped ?? 0]).toEqual([op, a.count, a.errors, a.attempts, a.dropped ?? 0]);
      expect(b.errors).toBe(0);
      // the merged histograms hold exactly the operations counted
      expect(two.runner.stats[op].latency.count).toBe(b.count);
      expect(two.runner.stats[op].service.count).toBe(b.count);
      expect(two.result.series.filter((p) => p.op === op).reduce((n, p) => n + p.count, 0)).toBe(b.count);
    }
    expect(two.result.completed).toEqual(one.result.completed);
    expect(two.result.droppedArrivals).toBe(0);

    const totals = (l: Ledger) => [l.initialTotal, l.totalInsBegun, l.totalInsAcked, l.totalDelBegun, l.totalDelAcked, l.inDoubt];
    expect(totals(two.ledger)).toEqual(totals(one.ledger));
    expect(two.ledger.inDoubt).toBe(0);
    expect(Array.from(two.ledger.insAcked)).toEqual(Array.from(one.ledger.insAcked));
    expect(Array.from(two.ledger.delAcked)).toEqual(Array.from(one.ledger.delAcked));
    // every worker's acknowledgment times reached the main thread's ledger, in order
    for (let u = 1; u <= DATA.users; u++) {
      const n = two.ledger.insAcked[u];
      for (let k = 0; k < n; k++) expect(two.ledger.ackTime(u, k), `user ${u} ack ${k}`).toBeDefined();
      expect(two.ledger.ackTime(u, n)).toBeUndefined();
      for (let k = 1; k < n; k++) expect(two.ledger.ackTime(u, k)!).toBeGreaterThanOrEqual(two.ledger.ackTime(u, k - 1)!);
    }

    // the same reads judged, with the same verdicts
    expect(two.result.reads).toEqual(one.result.reads);

    // the same drift, exactly: the INSERT-only trigger loses nothing and counts every delete extra
    const c1 = await exactCheck(d1.conn.pg, undefined, d1.strategy, d1.ctx);
    const c2 = await exactCheck(d2.conn.pg, undefined, d2.strategy, d2.ctx);
    expect(c2).toEqual(c1);
    const stats = c2.find((c) => c.name === 'user_stats.total_answers_lifetime')!;
    expect(stats.lost).toBe(0);
    expect(stats.extra).toBe(two.ledger.totalDelAcked);
    expect(await rows(d2)).toBe(await rows(d1));

    // the harness's figures per worker, and overall
    expect(two.result.harness.workers).toHaveLength(2);
    expect(one.result.harness.workers).toBeUndefined();
  });

  it('a closed-model run in two workers reconciles with the server\'s rows', async () => {
    const d = await deploy('trigger-upsert');
    const before = await rows(d);
    const r = await phase(d, scenario({ load: { model: 'closed', clients: 4, workers: 2 }, phases: { warmup: 1, duration: 2 } }));
    const l = r.ledger;
    expect(l.inDoubt).toBe(0);
    expect(l.totalInsAcked).toBeGreaterThan(0);
    expect(l.totalDelAcked).toBeGreaterThan(0);
    expect(await rows(d)).toBe(before + l.totalInsAcked - l.totalDelAcked);
    // every operation the workers began, they finished and counted
    expect(l.totalInsBegun).toBe(l.totalInsAcked);
    expect(r.result.completed.write).toBe(l.totalInsAcked);
    expect(r.result.completed.delete).toBe(l.totalDelAcked);
    for (const op of OPS) expect(r.runner.stats[op].latency.count).toBe(r.result.ops[op]!.count);
    const stats = (await exactCheck(d.conn.pg, undefined, d.strategy, d.ctx)).find((c) => c.name === 'user_stats.total_answers_lifetime')!;
    expect(stats.lost).toBe(0);
    expect(stats.extra).toBe(l.totalDelAcked);
    expect(r.result.reads!.judged).toBe(r.result.ops.read!.count);
  });

  it('fault hooks reach the workers: every load pid, crashes armed across threads, a terminated backend replaced', async () => {
    const d = await deploy('manual-update');
    let handle: LoadHandle | undefined;
    let pidsAtStart: number[] = [];
    let started!: () => void;
    const loadStarted = new Promise<void>((r) => (started = r));
    const run = phase(d, scenario({ load: { model: 'closed', clients: 4, workers: 2 }, mix: { write: 100, read: 0, delete: 0 }, phases: { warmup: 0, duration: 3 } }), {
      onLoadStart: (h) => {
        handle = h;
        pidsAtStart = h.loadPids();
        started();
      },
    });
    await loadStarted;
    await new Promise((r) => setTimeout(r, 500));
    // the four load connections, opened in two threads, are all ours
    expect(pidsAtStart).toHaveLength(4);
    expect(new Set(pidsAtStart).size).toBe(4);
    const ours = await d.admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'counterbench:manual-update' AND pid = ANY($1::int[])`, [pidsAtStart]);
    expect(ours.rowCount).toBe(4);
    // client 3 runs in the second worker: its replacement shows in the handle
    const victim = pidsAtStart[3];
    await d.admin.query('SELECT pg_terminate_backend($1)', [victim]);
    for (let i = 0; i < 100 && handle!.loadPids()[3] === victim; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handle!.loadPids()[3]).not.toBe(victim);
    expect(handle!.crashWrites(3)).toBe(true);
    const r = await run;
    expect(r.result.appCrashes).toBe(3);
    expect(r.result.ops.write!.errorsByKind!['app-crash']).toBe(3);
    // the terminated backend, and each crashed write's connection
    expect(r.result.reconnects).toBeGreaterThanOrEqual(4);
  });

  it('stops every worker when the signal aborts', async () => {
    const d = await deploy('baseline');
    const ac = new AbortController();
    const r = await phase(d, scenario({ load: { model: 'open', rate: 100, clients: 4, workers: 2 }, phases: { warmup: 0, duration: 30 } }), {
      signal: ac.signal,
      onLoadStart: () => setTimeout(() => ac.abort(), 1000),
    });
    expect(r.result.measuredMs).toBeLessThan(15_000);
    expect(r.result.ops.write!.count).toBeGreaterThan(0);
    expect(await rows(d)).toBe(DATA.users * DATA.answersPerUser + r.ledger.totalInsAcked - r.ledger.totalDelAcked);
  });

  it('needs a registered strategy: one made up in the test cannot cross into a worker', async () => {
    const d = await deploy('baseline');
    const ledger = new Ledger(DATA.users, await truthByUser(d.conn.pg));
    const madeUp = { ...d.strategy };
    await expect(
      runPhase({ strategy: madeUp, ctx: d.ctx, pgUrl: testDatabaseUrl(), scenario: scenario({ load: { model: 'closed', clients: 2, workers: 2 } }), ledger, seed: 1 }),
    ).rejects.toThrow(/registered strategy/);
  });
});
