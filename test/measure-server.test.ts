import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { snapshotServer, diffServer } from '../harness/measure/server.ts';
import { forceStatsFlush } from '../harness/measure/server-settle.ts';
import { locateStatements, diffStatements, type StatementsSnapshot } from '../harness/measure/server-statements.ts';
import type { StrategyResult } from '../harness/results/types.ts';
import { createTestSchema, insertAnswerSql, type TestSchema } from './measure-fixture.ts';

let t: TestSchema;
beforeEach(async () => {
  t = await createTestSchema(10);
});
afterEach(async () => {
  await t.drop();
});

const settle = () => ({ settle: { applicationNamePrefix: t.appPrefix, timeoutMs: 15_000 } });

describe('server cost', () => {
  it('counts WAL, inserts, HOT/non-HOT updates and dead tuples of the phase', async () => {
    const before = await snapshotServer(t.admin, t.schema, settle());
    expect(before.settle?.settled).toBe(true);

    const driver = await t.connect();
    const N = 120;
    for (let i = 0; i < N; i++) {
      await driver.query(insertAnswerSql, [(i % 10) + 1, `q${i}`, 'an answer']);
      // a counter column that no index covers: HOT-eligible
      await driver.query(`UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + 1 WHERE user_id = $1`, [(i % 10) + 1]);
    }
    // an update that changes an indexed column (status, in idx_sessions_active) is never HOT
    await driver.query(`UPDATE onboarding_sessions SET status = 'paused' WHERE id <= 5`);
    await driver.query(`UPDATE onboarding_sessions SET status = 'done' WHERE id <= 5`);
    await driver.query(`DELETE FROM user_answers_new WHERE id IN (SELECT id FROM user_answers_new ORDER BY id LIMIT 3)`);
    // Closing the driver before the after snapshot: a backend flushes its statistics at exit.
    await driver.end();

    const after = await snapshotServer(t.admin, t.schema, settle());
    expect(after.settle?.settled).toBe(true);
    const cost = diffServer(before, after, { writes: N, reads: 0, deletes: 3 });

    expect(cost.walBytesPerWrite).toBeGreaterThan(0);
    expect(cost.wal.bytes).toBeGreaterThan(0);
    expect(cost.wal.lsnBytes).toBeGreaterThan(0);
    const answers = cost.tables.find((x) => x.name === 'user_answers_new')!;
    expect(answers.inserts).toBe(N);
    expect(answers.deletes).toBe(3);
    expect(answers.indexesBytes.after).toBeGreaterThan(0);
    const stats = cost.tables.find((x) => x.name === 'user_stats')!;
    expect(stats.updates).toBe(N);
    expect(stats.hotUpdates + stats.nonHotUpdates).toBe(N);
    expect(stats.hotUpdates).toBeGreaterThan(0);
    expect(stats.deadTuplesCreated).toBe(N);
    const sessions = cost.tables.find((x) => x.name === 'onboarding_sessions')!;
    expect(sessions.updates).toBe(10);
    expect(sessions.nonHotUpdates).toBe(10);
    expect(cost.deadTuplesCreated).toBe(N + 10 + 3);
    expect(cost.deadTuplesPerWrite).toBeCloseTo((N + 13) / (N + 3), 3);
    expect(cost.totals.inserts).toBe(N);
    expect(cost.database.blksHit + cost.database.blksRead).toBeGreaterThan(0);
    expect(cost.buffersPerOp).toBeGreaterThan(0);
    expect(cost.checkpoints.count).toBeGreaterThanOrEqual(0);
    expect(cost.lockWaits).toBeNull();
    expect(cost.notes).toEqual([]);
    // plain JSON, as results.json needs, and it fits the contract's slot
    const slot: StrategyResult['server'] = cost;
    expect(JSON.parse(JSON.stringify(slot))).toEqual(cost);
  });

  it("a live connection flushed with forceStatsFlush is counted at once, without the idle second", async () => {
    const before = await snapshotServer(t.admin, t.schema, settle());
    const check = await t.connect(':check');
    try {
      for (let i = 0; i < 7; i++) await check.query(insertAnswerSql, [(i % 10) + 1, `f${i}`, 'an answer']);
      await forceStatsFlush(check);
      const started = Date.now();
      const after = await snapshotServer(t.admin, t.schema, { settle: { applicationNamePrefix: t.appPrefix, flushed: [`${t.appPrefix}:check`], timeoutMs: 15_000 } });
      // waiting for it idle would take over a second; not waiting must not lose its counts
      expect(after.settle?.settled).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      const cost = diffServer(before, after, { writes: 7, reads: 0, deletes: 0 });
      expect(cost.tables.find((x) => x.name === 'user_answers_new')!.inserts).toBe(7);
    } finally {
      await check.end();
    }
  });

  it('gives per-write figures as null when nothing was written', async () => {
    const before = await snapshotServer(t.admin, t.schema, { statements: false });
    const after = await snapshotServer(t.admin, t.schema, { statements: false });
    const cost = diffServer(before, after, { writes: 0, reads: 0 });
    expect(cost.walBytesPerWrite).toBeNull();
    expect(cost.deadTuplesPerWrite).toBeNull();
    expect(cost.statements).toEqual({ available: false, reason: 'not requested' });
  });

  it('reports pg_stat_statements as available or not, with a reason, and never crashes', async () => {
    const before = await snapshotServer(t.admin, t.schema);
    const after = await snapshotServer(t.admin, t.schema);
    const cost = diffServer(before, after, { writes: 1, reads: 1 });
    if (cost.statements.available) {
      expect(Array.isArray(cost.statements.top)).toBe(true);
    } else {
      expect(cost.statements.reason.length).toBeGreaterThan(10);
    }
    const where = await locateStatements(t.admin);
    const state = await t.admin.query<{ loaded: boolean; created: boolean }>(
      `SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS loaded,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created`,
    );
    const { loaded, created } = state.rows[0];
    if (!created) {
      expect(where).toEqual({ reason: expect.stringMatching(loaded ? /not created/ : /not loaded/) });
      expect(cost.statements).toEqual({ available: false, reason: expect.stringMatching(/pg_stat_statements/) });
    }
  });

  it('diffs pg_stat_statements snapshots: changed statements only, harness queries left out', () => {
    const row = (key: string, query: string, calls: number, ms: number, wal = 0) => ({
      key, queryid: key, query, calls, totalExecMs: ms, rows: calls, sharedBlksHit: calls, sharedBlksRead: 0,
      sharedBlksDirtied: 0, walBytes: wal, walFpi: 0,
    });
    const before: StatementsSnapshot = {
      available: true, relation: 'public.pg_stat_statements',
      rows: [row('1', 'INSERT INTO a', 10, 5, 100), row('2', 'SELECT 1', 4, 1), row('3', '/* counterbench:measure */ SELECT x', 1, 1)],
    };
    const after: StatementsSnapshot = {
      available: true, relation: 'public.pg_stat_statements',
      rows: [
        row('1', 'INSERT INTO a', 30, 25, 300), row('2', 'SELECT 1', 4, 1), row('3', '/* counterbench:measure */ SELECT x', 9, 9),
        row('4', 'REFRESH MATERIALIZED VIEW user_answer_stats', 2, 40, 2000),
      ],
    };
    const d = diffStatements(before, after);
    if (!d.available) throw new Error('expected available');
    expect(d.changed).toBe(2);
    expect(d.top.map((x) => x.query)).toEqual(['REFRESH MATERIALIZED VIEW user_answer_stats', 'INSERT INTO a']);
    expect(d.top[1]).toMatchObject({ calls: 20, totalExecMs: 20, walBytes: 200, meanExecMs: 1 });
    expect(d.matviewRefresh).toMatchObject({ refreshes: 2, totalMs: 40, meanMs: 20, walBytesPerRefresh: 1000 });
    expect(d.evictionSuspected).toBe(false);
    expect(diffStatements({ available: false, reason: 'x' }, after)).toEqual({ available: false, reason: expect.stringMatching(/x/) });
  });

  // Only on the suite's own embedded server: creating an extension is a database-level change
  // that must never be made on a server DATABASE_URL names. It lives in the test's schema and
  // goes with it.
  it.skipIf(!!process.env.DATABASE_URL)('reads top statements and refresh costs when pg_stat_statements is there', async () => {
    const state = await t.admin.query<{ loaded: boolean; created: boolean }>(
      `SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS loaded,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created`,
    );
    if (!state.rows[0].loaded) return;
    if (!state.rows[0].created) await t.admin.query(`CREATE EXTENSION pg_stat_statements SCHEMA ${t.schema}`);
    const driver = await t.connect();
    await driver.query(`CREATE MATERIALIZED VIEW user_answer_stats AS
      SELECT s.user_id, count(*) AS answers FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id GROUP BY 1`);
    const before = await snapshotServer(t.admin, t.schema);
    for (let i = 0; i < 25; i++) await driver.query(insertAnswerSql, [1, `q${i}`, 'x']);
    await driver.query('REFRESH MATERIALIZED VIEW user_answer_stats');
    await driver.end();
    const after = await snapshotServer(t.admin, t.schema, settle());
    const cost = diffServer(before, after, { writes: 25, reads: 0 });
    if (!cost.statements.available) throw new Error(cost.statements.reason);
    const insert = cost.statements.top.find((x) => /INSERT INTO user_answers_new/.test(x.query));
    expect(insert?.calls).toBe(25);
    expect(insert!.walBytes).toBeGreaterThan(0);
    expect(cost.statements.top.some((x) => x.query.includes('counterbench:measure'))).toBe(false);
    expect(cost.statements.matviewRefresh?.refreshes).toBe(1);
    expect(cost.tables.find((x) => x.name === 'user_answer_stats')?.kind).toBe('materialized view');
    if (!state.rows[0].created) {
      await t.admin.query('DROP EXTENSION pg_stat_statements');
    }
  });
});
