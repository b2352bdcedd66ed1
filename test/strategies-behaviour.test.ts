// What each new strategy promises beyond exact counts under load (strategies-races.test.ts):
// TRUNCATE zeroes the counters where a trigger can see it; the deferred trigger locks the counter
// row only at COMMIT; statement-level triggers count multi-row statements and never deadlock on
// batches in opposite orders; delta-rollup reads are exact before any rollup; sharded writes
// spread over slots.
import { describe, it, expect, afterEach } from 'vitest';
import pg from 'pg';
import { deployForTest, drainJobs, TEST_OPTIONS, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl } from './support/env.ts';
import { connectPg } from '../harness/db/connect.ts';
import { exactCheck } from '../harness/measure/drift.ts';

let d: DeployedStrategy | undefined;
const opened: pg.Client[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.end().catch(() => {});
  await d?.teardown();
  d = undefined;
});

async function client(): Promise<pg.Client> {
  const c = await connectPg(testDatabaseUrl(), { schema: d!.ctx.schema, applicationName: 'counterbench:test' });
  opened.push(c);
  return c;
}

async function expectExact(): Promise<void> {
  for (const c of await exactCheck(d!.conn.pg, d!.conn.redis, d!.strategy, d!.ctx)) {
    expect([c.name, c.lost, c.extra]).toEqual([c.name, 0, 0]);
  }
}

/** n answers for each of the users, as one multi-row INSERT in the order given. */
function batchInsert(userIds: number[], n = 1): { text: string; values: number[] } {
  const rows: string[] = [];
  const values: number[] = [];
  for (const u of userIds) {
    for (let i = 0; i < n; i++) {
      values.push(u * 2); // the user's active session (2 sessions per user, sql/seed.sql)
      rows.push(`($${values.length}, 'q', 'x', 1)`);
    }
  }
  return { text: `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ${rows.join(', ')}`, values };
}

describe('TRUNCATE', () => {
  it.each(['trigger-fixed', 'statement-trigger', 'deferred-trigger', 'sharded-counter', 'delta-rollup'])('%s: every counter is 0 after a TRUNCATE of the answers', async (id) => {
    d = await deployForTest(id);
    await d.strategy.write(d.conn, { userId: 3, sessionId: 6, questionJsonId: 'q', rawAnswer: 'x' });
    await d.conn.pg.query('TRUNCATE user_answers_new');
    await expectExact();
    expect(await d.strategy.read(d.conn, 3)).toBe(0);
    // and counting goes on from 0
    await d.strategy.write(d.conn, { userId: 3, sessionId: 6, questionJsonId: 'q', rawAnswer: 'x' });
    expect(await d.strategy.read(d.conn, 3)).toBe(1);
    // (delta-rollup's rolled-up counter waits for its rollup, which runs no job here)
    if (!d.strategy.jobs) await expectExact();
  });
});

describe('deferred-trigger', () => {
  /** Whether another transaction can lock user 3's counter row while one that inserted an
   *  answer of user 3 is still open (lock_timeout: it waits at most 300 ms). */
  async function counterRowFreeAfterInsert(id: string): Promise<boolean> {
    d = await deployForTest(id);
    const tx = await client();
    const other = await client();
    await tx.query('BEGIN');
    await tx.query(`INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES (6, 'q', 'x', 1)`);
    await other.query(`SET lock_timeout = '300ms'`);
    let free = true;
    try {
      await other.query('UPDATE user_stats SET updated_at = now() WHERE user_id = 3');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('55P03'); // lock_not_available
      free = false;
    }
    await tx.query('COMMIT');
    await expectExact();
    return free;
  }

  it('locks the counter row only at COMMIT; the row trigger holds it from the INSERT on', async () => {
    expect(await counterRowFreeAfterInsert('deferred-trigger')).toBe(true);
    await d!.teardown();
    d = undefined;
    expect(await counterRowFreeAfterInsert('trigger-fixed')).toBe(false);
  });
});

describe('statement-trigger', () => {
  it('counts a multi-row INSERT and DELETE once per user, and batches in opposite user orders never deadlock', async () => {
    d = await deployForTest('statement-trigger');
    const a = await client();
    const b = await client();
    const users = [1, 2, 3, 4, 5, 6, 7, 8];
    const down = [...users].reverse();
    // one batch holds its transaction open while the other, in the opposite order, waits
    await a.query('BEGIN');
    await a.query(batchInsert(down, 2));
    const waiting = b.query(batchInsert(users, 3));
    await new Promise((r) => setTimeout(r, 200));
    await a.query('COMMIT');
    await waiting;
    // and many at once, in random orders
    const clients = [a, b, await client(), await client()];
    await Promise.all(
      clients.map(async (c, k) => {
        for (let i = 0; i < 15; i++) {
          const order = [...users].sort(() => Math.random() - 0.5);
          await c.query(batchInsert(order, 1 + ((i + k) % 3)));
        }
      }),
    );
    await expectExact();
    const deleted = await a.query('DELETE FROM user_answers_new WHERE session_id IN (2, 4, 6)');
    expect(deleted.rowCount).toBeGreaterThan(3);
    await expectExact();
  });
});

describe('delta-rollup', () => {
  it('reads are exact before any rollup, while user_stats alone lags until the rollup folds the ledger', async () => {
    d = await deployForTest('delta-rollup', undefined, { ...TEST_OPTIONS, rollupIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) await d.strategy.write(d.conn, { userId: 5, sessionId: 10, questionJsonId: 'q', rawAnswer: 'x' });
    expect(await d.strategy.remove(d.conn, { userId: 5, sessionId: 10 })).toBe(true);
    expect(await d.strategy.read(d.conn, 5)).toBe(3 + 6);
    const [read, rolledUp] = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
    expect([read.lost, read.extra]).toEqual([0, 0]);
    expect(rolledUp.lost).toBe(6);
    await drainJobs(d);
    await expectExact();
    const pending = await d.conn.pg.query('SELECT count(*)::int AS n FROM answer_count_deltas');
    expect(pending.rows[0].n).toBe(0);
    expect(await d.strategy.read(d.conn, 5)).toBe(9);
  });
});

describe('sharded-counter', () => {
  it('with the slot by backend, each connection writes its own slot; a read sums them', async () => {
    d = await deployForTest('sharded-counter', undefined, { ...TEST_OPTIONS, slots: 4, slotPick: 'backend' });
    const conns = [await client(), await client(), await client()];
    for (const c of conns) for (let i = 0; i < 3; i++) await c.query(batchInsert([2]));
    const slots = await d.conn.pg.query<{ slot: number; n: number }>('SELECT slot, n FROM user_answer_slots WHERE user_id = 2 ORDER BY slot');
    const pids = await Promise.all(conns.map(async (c) => (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number));
    // the seed's count in slot 0, then 3 per connection in the slot of its pid
    const expected = new Map<number, number>([[0, 3]]);
    for (const p of pids) expected.set(p % 4, (expected.get(p % 4) ?? 0) + 3);
    expect(new Map(slots.rows.map((r) => [r.slot, r.n]))).toEqual(expected);
    expect(await d.strategy.read(d.conn, 2)).toBe(3 + 9);
    await expectExact();
  });

  it('refuses a slot count it would have to put into its DDL as anything but a whole number', async () => {
    d = await deployForTest('sharded-counter', undefined, { ...TEST_OPTIONS, slots: 0.5 });
    expect(d.deployed.status).toBe('not-deployable');
    expect(d.deployed.reason).toMatch(/slots must be an integer/);
  });
});
