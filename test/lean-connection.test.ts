// The lean connection (harness/db/lean) against the real Postgres, beside a pg.Client on the same
// schema: the same rows, row counts and errors for what the strategies send, the same error
// classes for the driver, and a terminated backend seen as a connection error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectPg } from '../harness/db/connect.ts';
import { connectLean, connectLoad, driverPathFor } from '../harness/db/lean/connect.ts';
import type { LeanConnection } from '../harness/db/lean/connection.ts';
import { classifyError } from '../harness/load/error-kind.ts';
import { STRATEGIES } from '../harness/strategies/index.ts';
import { DELETE_LATEST_ANSWER, INSERT_ANSWER, READ_USER_STATS } from '../harness/strategies/statements.ts';
import type { Conn, PgQueryClient, Strategy } from '../harness/strategies/types.ts';
import { exactCheck } from '../harness/measure/drift.ts';
import { runPhase } from '../harness/load/driver.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { truthByUser } from '../harness/measure/drift.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { deployForTest, drainJobs, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the same query on both connections; returns both results or both errors. */
async function both(lean: PgQueryClient, pgc: PgQueryClient, run: (c: PgQueryClient) => Promise<unknown>) {
  const settle = (p: Promise<unknown>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));
  return { lean: await settle(run(lean)), pg: await settle(run(pgc)) };
}

const rowsOf = (r: unknown) => {
  const x = r as pg.QueryResult | pg.QueryResult[];
  const last = Array.isArray(x) ? x[x.length - 1] : x;
  return { rows: last.rows, rowCount: last.rowCount };
};

describe('lean connection: results', () => {
  let d: DeployedStrategy;
  let lean: LeanConnection;
  beforeAll(async () => {
    d = await deployForTest('baseline');
    lean = await connectLean(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:lean' });
  });
  afterAll(async () => {
    await lean?.end();
    await d?.teardown();
  });

  it('returns the rows pg returns, typed as pg types them, by name, unnamed and as a simple query', async () => {
    const typed = `SELECT $1::int4 AS i4, $2::int8 AS i8, $3::text AS t, $4::bool AS b, $5::numeric AS n,
                          NULL::int4 AS nul, 2.5::float8 AS f8, 'héllo wörld ✓'::text AS utf8`;
    const values = [-7, '9007199254740993', 'a\'b"c', true, '12345.678900'];
    for (const run of [
      (c: PgQueryClient) => c.query({ name: 'typed', text: typed, values }),
      (c: PgQueryClient) => c.query({ name: 'typed', text: typed, values: [0, '1', '', false, '0'] }),
      (c: PgQueryClient) => c.query(typed, values),
      (c: PgQueryClient) => c.query(`SELECT 1::int4 AS i4, 2::int8 AS i8, 't'::bool AS b, 1.50::numeric AS n, NULL AS nul`),
      // several statements in one simple query: the last one's result
      (c: PgQueryClient) => c.query('SELECT 1 AS a; SELECT 2 AS b, 3::int8 AS c'),
      (c: PgQueryClient) => c.query({ name: 'nothing', text: 'SELECT 1 AS a WHERE false' }),
    ]) {
      const r = await both(lean, d.conn.pg, run);
      expect('value' in r.lean && 'value' in r.pg).toBe(true);
      const l = rowsOf((r.lean as { value: unknown }).value);
      expect(l).toEqual(rowsOf((r.pg as { value: unknown }).value));
    }
    const l = await lean.query({ name: 'typed', text: typed, values });
    expect(l.rows[0]).toEqual({ i4: -7, i8: '9007199254740993', t: 'a\'b"c', b: true, n: '12345.678900', nul: null, f8: 2.5, utf8: 'héllo wörld ✓' });
  });

  it('runs the strategies’ shared statements with the row counts pg reports', async () => {
    const ins = { name: 'insert_answer', text: INSERT_ANSWER, values: [2, 'q-lean', 'an answer', 9] };
    const a = await both(lean, d.conn.pg, (c) => c.query(ins));
    const li = (a.lean as { value: pg.QueryResult }).value;
    const pi = (a.pg as { value: pg.QueryResult }).value;
    // RETURNING id: a bigserial, a string in both, one after the other
    expect(li.rowCount).toBe(1);
    expect(pi.rowCount).toBe(1);
    expect(typeof li.rows[0].id).toBe('string');
    expect(BigInt(pi.rows[0].id) - BigInt(li.rows[0].id)).toBe(1n);

    const read = { name: 'read_user_stats', text: READ_USER_STATS, values: [1] };
    const r = await both(lean, d.conn.pg, (c) => c.query(read));
    expect(rowsOf((r.lean as { value: unknown }).value)).toEqual(rowsOf((r.pg as { value: unknown }).value));

    const del = (sessionId: number) => ({ name: 'delete_latest_answer', text: DELETE_LATEST_ANSWER, values: [sessionId] });
    const x = await both(lean, d.conn.pg, (c) => c.query(del(2)));
    expect((x.lean as { value: pg.QueryResult }).value.rowCount).toBe(1);
    expect((x.pg as { value: pg.QueryResult }).value.rowCount).toBe(1);
    // a session with no answers: nothing deleted, rowCount 0 in both
    const none = await both(lean, d.conn.pg, (c) => c.query(del(-1)));
    expect(rowsOf((none.lean as { value: unknown }).value)).toEqual({ rows: [], rowCount: 0 });
    expect(rowsOf((none.pg as { value: unknown }).value)).toEqual({ rows: [], rowCount: 0 });

    for (const text of ['UPDATE user_stats SET updated_at = now() WHERE user_id <= 3', 'SET work_mem = 65536', 'CREATE TEMP TABLE lean_tmp (x int)']) {
      const u = await both(lean, d.conn.pg, (c) => c.query(text.replace('lean_tmp', `lean_tmp_${uniqueTag()}`)));
      expect(rowsOf((u.lean as { value: unknown }).value)).toEqual(rowsOf((u.pg as { value: unknown }).value));
    }
  });

  it('every strategy writes, reads and deletes through it and stays exact', async () => {
    for (const s of STRATEGIES.filter((x) => x.id !== 'generated-column' && !x.needsRedis)) {
      const e = await deployForTest(s.id);
      const lc = await connectLean(testDatabaseUrl(), { schema: e.ctx.schema, applicationName: 'counterbench:test:lean' });
      try {
        const conn: Conn = { pg: lc, ctx: e.ctx };
        for (let i = 0; i < 12; i++) await s.write(conn, { userId: (i % 4) + 1, sessionId: ((i % 4) + 1) * 2, questionJsonId: `q${i}`, rawAnswer: 'x' });
        expect(await s.remove(conn, { userId: 1, sessionId: 2 }), s.id).toBe(true);
        expect(await s.remove(conn, { userId: 1, sessionId: -1 }), s.id).toBe(false);
        // its reads come from the view: a refresh brings it up to date
        if (s.id === 'materialized-view') await s.backfill(e.conn, e.ctx);
        for (const u of [1, 2, 5]) expect(await s.read(conn, u), `${s.id} user ${u}`).toBe(await s.read(e.conn, u));
        // a job's counter (delta-rollup's rolled-up one) is exact once the job caught up
        await drainJobs(e);
        if (s.id !== 'trigger-upsert' && s.id !== 'production-trigger') {
          // the INSERT-only triggers count the delete as extra (Problem 3); everything else is exact
          for (const c of await exactCheck(e.conn.pg, undefined, s, e.ctx)) expect([s.id, c.name, c.usersInconsistent]).toEqual([s.id, c.name, 0]);
        }
      } finally {
        await lc.end();
        await e.teardown();
      }
    }
  });
});

describe('lean connection: errors', () => {
  let d: DeployedStrategy;
  let lean: LeanConnection;
  beforeAll(async () => {
    d = await deployForTest('baseline');
    lean = await connectLean(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:lean' });
    await d.admin.query(`CREATE TABLE ${d.ctx.schema}.lean_unique (id int PRIMARY KEY, v int NOT NULL DEFAULT 0)`);
    await d.admin.query(`INSERT INTO ${d.ctx.schema}.lean_unique (id) VALUES (1)`);
  });
  afterAll(async () => {
    await lean?.end();
    await d?.teardown();
  });

  const sameError = (r: Awaited<ReturnType<typeof both>>, code: string) => {
    const le = (r.lean as { error?: pg.DatabaseError }).error;
    const pe = (r.pg as { error?: pg.DatabaseError }).error;
    expect(le?.code).toBe(code);
    expect(pe?.code).toBe(code);
    expect(le?.message).toBe(pe?.message);
    expect(classifyError(le)).toEqual(classifyError(pe));
    return classifyError(le);
  };

  it('unique violation, syntax error, bad parameter: the same SQLSTATE, message and class as pg; the connection goes on', async () => {
    const dup = await both(lean, d.conn.pg, (c) => c.query({ name: 'dup', text: 'INSERT INTO lean_unique (id) VALUES ($1)', values: [1] }));
    expect(sameError(dup, '23505')).toEqual({ kind: '23', action: 'fail' });
    // a Parse the server refused: the name is not kept, and a later good statement runs
    const syntax = await both(lean, d.conn.pg, (c) => c.query({ name: 'bad', text: 'SELEC 1' }));
    expect(sameError(syntax, '42601')).toEqual({ kind: '42', action: 'fail' });
    // parsed again at its next use, so the same error, not "prepared statement does not exist"
    await expect(lean.query({ name: 'bad', text: 'SELEC 1' })).rejects.toMatchObject({ code: '42601' });
    const simple = await both(lean, d.conn.pg, (c) => c.query('SELEC 1'));
    sameError(simple, '42601');
    const param = await both(lean, d.conn.pg, (c) => c.query({ name: 'int', text: 'SELECT $1::int AS n', values: ['x'] }));
    expect(sameError(param, '22P02')).toEqual({ kind: '22', action: 'fail' });
    // the statement was prepared by the failed call: its next use binds only
    expect((await lean.query({ name: 'int', text: 'SELECT $1::int AS n', values: ['5'] })).rows).toEqual([{ n: 5 }]);
    await expect(lean.query({ name: 'int', text: 'SELECT 2' })).rejects.toThrow(/Prepared statements must be unique/);
    expect((await lean.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('a serialization failure from a real conflict is retryable, as from pg', async () => {
    const other = await connectPg(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:lean' });
    try {
      const conflict = async (c: PgQueryClient) => {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        try {
          await c.query({ name: 'look', text: 'SELECT v FROM lean_unique WHERE id = $1', values: [1] });
          // another transaction changes the row after this one's snapshot was taken
          await other.query('UPDATE lean_unique SET v = v + 1 WHERE id = 1');
          await c.query({ name: 'bump', text: 'UPDATE lean_unique SET v = v + 1 WHERE id = $1', values: [1] });
        } finally {
          await c.query('ROLLBACK');
        }
      };
      const r = await both(lean, d.conn.pg, conflict);
      expect(sameError(r, '40001')).toEqual({ kind: '40', action: 'retry' });
    } finally {
      await other.end();
    }
  });

  it('a terminated backend fails the query in flight and the next one as connection errors, as with pg', async () => {
    const url = testDatabaseUrl();
    const app = `counterbench:test:lean:${uniqueTag()}`;
    const kinds: Record<string, unknown[]> = {};
    const opens: [string, () => Promise<PgQueryClient>][] = [
      ['lean', () => connectLean(url, { schema: d.ctx.schema, applicationName: app })],
      ['pg', () => connectPg(url, { schema: d.ctx.schema, applicationName: app })],
    ];
    for (const [name, open] of opens) {
      const busy = await open();
      const idle = await open();
      const pids = async (c: PgQueryClient) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const [busyPid, idlePid] = [await pids(busy), await pids(idle)];
      const inFlight = busy.query('SELECT pg_sleep(30)').then(() => null, (e: unknown) => e);
      await sleep(200);
      await d.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1)', [[busyPid, idlePid]]);
      const e1 = await inFlight;
      // the idle one learns it at its next query, once the server has closed it
      await sleep(300);
      const e2 = await idle.query('SELECT 1').then(() => null, (e: unknown) => e);
      const e3 = await busy.query('SELECT 1').then(() => null, (e: unknown) => e);
      kinds[name] = [e1, e2, e3].map((e) => classifyError(e));
      await busy.end().catch(() => {});
      await idle.end().catch(() => {});
    }
    const reconnect = { kind: 'connection', action: 'reconnect' };
    expect(kinds.lean).toEqual([reconnect, reconnect, reconnect]);
    expect(kinds.pg).toEqual(kinds.lean);
  });
});

describe('lean connection: the load driver', () => {
  let d: DeployedStrategy;
  const DATA = { users: 50, sessionsPerUser: 1, answersPerUser: 2, answersSkew: 0 };
  beforeAll(async () => {
    d = await deployForTest('baseline', DATA);
  });
  afterAll(async () => {
    await d?.teardown();
  });

  const scenario = (driver?: 'lean' | 'pg', duration = 1) =>
    scenarioFromObject(
      {
        name: 'lean-driver',
        strategies: ['baseline'],
        data: DATA,
        load: { model: 'closed', clients: 2 },
        phases: { warmup: 0, duration },
        mix: { write: 100, read: 0, delete: 0 },
        options: { driftSampleInterval: 0, ...(driver ? { driver } : {}) },
      },
      {},
      '(test)',
    );

  /** baseline under its own id (so its backends are this test's alone), noting what served it */
  const watched = (seen: Set<string>): Strategy => ({
    ...d.strategy,
    id: `lean-${uniqueTag()}`,
    async write(c, a) {
      seen.add(c.pg instanceof pg.Client ? 'pg' : c.pg.constructor.name);
      return d.strategy.write(c, a);
    },
  });

  it('uses the lean connection by default and pg when the scenario asks for it', async () => {
    for (const [driver, expected] of [[undefined, 'LeanConnection'], ['lean', 'LeanConnection'], ['pg', 'pg']] as const) {
      const seen = new Set<string>();
      const ledger = new Ledger(DATA.users, await truthByUser(d.conn.pg));
      const r = await runPhase({ strategy: watched(seen), ctx: d.ctx, pgUrl: testDatabaseUrl(), scenario: scenario(driver), ledger, seed: 3 });
      expect([...seen]).toEqual([expected]);
      expect(r.ops.write!.count).toBeGreaterThan(0);
      expect(r.ops.write!.errors).toBe(0);
    }
    expect(scenarioFromObject({}).options.driver).toBe('lean');
    expect(() => scenarioFromObject({ options: { driver: 'libpq' } }, {}, '(test)')).toThrow(/options\.driver.*"lean" or "pg"/);
  });

  it('falls back to pg where the lean connection cannot go (SSL)', async () => {
    expect(driverPathFor('postgres://u@127.0.0.1:5432/db')).toBe('lean');
    expect(driverPathFor('postgres://u@127.0.0.1:5432/db', 'pg')).toBe('pg');
    expect(driverPathFor('postgres://u@127.0.0.1:5432/db?sslmode=verify-full')).toBe('pg');
    const c = await connectLoad(testDatabaseUrl(), { schema: d.ctx.schema, applicationName: 'counterbench:test:lean' }, 'pg');
    expect(c).toBeInstanceOf(pg.Client);
    await c.end();
  });

  it('reconnects after its backends are terminated, and the load goes on', async () => {
    const seen = new Set<string>();
    const strategy = watched(seen);
    const ledger = new Ledger(DATA.users, await truthByUser(d.conn.pg));
    const run = runPhase({ strategy, ctx: d.ctx, pgUrl: testDatabaseUrl(), scenario: scenario('lean', 2), ledger, seed: 3 });
    await sleep(700);
    const killed = await d.admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [`counterbench:${strategy.id}`],
    );
    expect(killed.rowCount).toBe(2);
    const r = await run;
    expect([...seen]).toEqual(['LeanConnection']);
    expect(r.reconnects).toBeGreaterThanOrEqual(1);
    const w = r.ops.write!;
    expect(w.errors).toBe(w.errorsByKind?.connection ?? 0);
    expect(w.errors).toBeLessThanOrEqual(2);
    const last = r.series.filter((p) => p.t === 1 && p.op === 'write');
    expect(last.reduce((a, p) => a + p.count, 0)).toBeGreaterThan(0);
    // every acknowledged write is in the table
    const rows = await d.conn.pg.query('SELECT count(*)::int AS n FROM user_answers_new');
    expect(rows.rows[0].n).toBeGreaterThanOrEqual(DATA.users * DATA.answersPerUser + w.count);
  });
});
