// The driver against a real Postgres: the open model's rate, coordinated omission, retries,
// and a backend killed under it.
import { describe, it, expect, afterEach } from 'vitest';
import { runPhase } from '../harness/load/driver.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { truthByUser } from '../harness/measure/drift.ts';
import { connectPg } from '../harness/db/connect.ts';
import { insertAnswer } from '../harness/strategies/statements.ts';
import type { Strategy } from '../harness/strategies/types.ts';
import { deployForTest, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl } from './support/env.ts';

let d: DeployedStrategy | undefined;
afterEach(async () => {
  await d?.teardown();
  d = undefined;
});

const DATA = { users: 50, sessionsPerUser: 1, answersPerUser: 2, answersSkew: 0 };

function scenario(extra: Record<string, unknown>) {
  return scenarioFromObject({
    name: 'driver-test',
    strategies: ['baseline'],
    data: DATA,
    mix: { write: 100, read: 0, delete: 0 },
    phases: { warmup: 0, duration: 2 },
    ...extra,
  });
}

async function phase(strategy: Strategy, sc: ReturnType<typeof scenario>) {
  const ledger = new Ledger(DATA.users, await truthByUser(d!.conn.pg));
  return runPhase({ strategy, ctx: d!.ctx, pgUrl: testDatabaseUrl(), scenario: sc, ledger, seed: 7 });
}

describe('driver', () => {
  it('the open model holds its arrival rate', async () => {
    d = await deployForTest('baseline', DATA);
    const r = await phase(d.strategy, scenario({ load: { model: 'open', rate: 200, clients: 4 } }));
    const w = r.ops.write!;
    // 2 s at 200/s on an even schedule is 400 arrivals, all of them served
    expect(w.count + w.errors + r.droppedArrivals).toBe(400);
    expect(w.errors).toBe(0);
    expect(r.droppedArrivals).toBe(0);
    expect(w.throughput).toBeGreaterThan(180);
    expect(w.throughput).toBeLessThan(220);
    const rows = await d.conn.pg.query('SELECT count(*)::int AS n FROM user_answers_new');
    expect(rows.rows[0].n).toBe(DATA.users * DATA.answersPerUser + 400);
  });

  it('a stall on the server shows in p99 from the intended start, while service time stays low', async () => {
    d = await deployForTest('baseline', DATA);
    const locker = await connectPg(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:locker' });
    try {
      const run = phase(d.strategy, scenario({ load: { model: 'open', rate: 300, clients: 2, maxInFlight: 2000 }, phases: { warmup: 0, duration: 3 } }));
      await new Promise((r) => setTimeout(r, 1000));
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE user_answers_new IN EXCLUSIVE MODE');
      await new Promise((r) => setTimeout(r, 1000));
      await locker.query('COMMIT');
      const r = await run;
      const w = r.ops.write!;
      expect(w.count).toBe(900);
      // everything that arrived during the stall waited for it: well over 1% of operations
      expect(w.latencyMs.p99).toBeGreaterThan(500);
      // only the two operations on the server at the time saw it in their service time
      expect(w.serviceTimeMs!.p99).toBeLessThan(100);
      expect(w.serviceTimeMs!.max).toBeGreaterThan(500);
    } finally {
      await locker.end();
    }
  });

  it('a server slower than the schedule: throughput is what it achieved, and arrivals past maxInFlight are dropped errors', async () => {
    d = await deployForTest('baseline', DATA);
    // a real server-side delay of 10 ms per write: one connection serves at most ~100 writes/s
    const slow: Strategy = {
      ...d.strategy,
      async write(c, a) {
        await c.pg.query('SELECT pg_sleep(0.01)');
        await insertAnswer(c.pg, a);
      },
    };
    const queued = await phase(slow, scenario({ load: { model: 'open', rate: 200, clients: 1, maxInFlight: 1000 }, phases: { warmup: 0, duration: 1 } }));
    const w = queued.ops.write!;
    // every arrival is served in the end, late: 200 offered, about 100/s achieved
    expect(w.count).toBe(200);
    expect(w.throughput).toBeLessThan(130);
    expect(w.latencyMs.max).toBeGreaterThan(900);

    const shed = await phase(slow, scenario({ load: { model: 'open', rate: 200, clients: 1, maxInFlight: 10 }, phases: { warmup: 0, duration: 1 } }));
    const s2 = shed.ops.write!;
    expect(s2.dropped).toBeGreaterThan(50);
    expect(s2.errorsByKind!.dropped).toBe(s2.dropped);
    expect(s2.count + s2.errors).toBe(200);
  });

  it('serialization failures are retried and counted; exhausted ones count as errors of class 40', async () => {
    d = await deployForTest('baseline', DATA);
    const flaky: Strategy = {
      ...d.strategy,
      id: 'baseline',
      async write(c, a) {
        // a real Postgres error, raised by the server a third of the time
        await c.pg.query(
          `DO $$ BEGIN IF random() < 0.33 THEN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END IF; END $$`,
        );
        await insertAnswer(c.pg, a);
      },
    };
    const r = await phase(flaky, scenario({ load: { model: 'closed', clients: 2 }, phases: { warmup: 0, duration: 1 }, options: { maxRetries: 2 } }));
    const w = r.ops.write!;
    expect(w.retries).toBeGreaterThan(0);
    expect(w.attempts).toBe(w.count + w.errors + w.retries!);
    expect(w.errors).toBe(w.errorsByKind!['40'] ?? 0);
    const rows = await d.conn.pg.query('SELECT count(*)::int AS n FROM user_answers_new');
    expect(rows.rows[0].n).toBe(DATA.users * DATA.answersPerUser + w.count);
  });

  it('survives a terminated backend: it reconnects, counts it, and the run goes on', async () => {
    d = await deployForTest('baseline', DATA);
    const run = phase(d.strategy, scenario({ load: { model: 'closed', clients: 2 }, phases: { warmup: 0, duration: 2 } }));
    await new Promise((r) => setTimeout(r, 700));
    const killed = await d.admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'counterbench:baseline' AND datname = current_database()`,
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    const r = await run;
    expect(r.reconnects).toBeGreaterThanOrEqual(1);
    const w = r.ops.write!;
    expect(w.errorsByKind?.connection ?? 0).toBeLessThanOrEqual(killed.rowCount!);
    // writes went on after the kill: the series has successes in the last second too
    const last = r.series.filter((p) => p.t === 1 && p.op === 'write');
    expect(last.reduce((a, p) => a + p.count, 0)).toBeGreaterThan(0);
  });
});
