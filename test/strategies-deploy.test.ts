import { describe, it, expect } from 'vitest';
import { STRATEGIES } from '../harness/strategies/index.ts';
import { deployForTest, jobContextFor, TEST_OPTIONS } from './support/deployed.ts';
import { exactCheck } from '../harness/measure/drift.ts';
import type { Job } from '../harness/strategies/types.ts';

const KEEPING = STRATEGIES.filter((s) => s.id !== 'generated-column');
const WRITES = 60;

describe('strategies', () => {
  it.each(KEEPING.map((s) => s.id))('%s deploys, and its counters are exact after the seed and after sequential writes', async (id) => {
    const d = await deployForTest(id);
    try {
      expect(d.deployed.status).toBe('ok');
      // seeded counters start exact
      const before = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
      for (const c of before) expect(c.usersInconsistent, c.name).toBe(0);

      const jobs: Job[] = d.strategy.jobs ? await d.strategy.jobs(jobContextFor(d)) : [];
      try {
        for (let i = 0; i < WRITES; i++) {
          const userId = (i % d.ctx.users) + 1;
          await d.strategy.write(d.conn, { userId, sessionId: userId * 2, questionJsonId: `q${i}`, rawAnswer: 'x' });
        }
        for (const j of jobs) await j.drain();
      } finally {
        for (const j of jobs) await j.stop();
      }
      const rows = await d.conn.pg.query('SELECT count(*)::int AS n FROM user_answers_new');
      expect(rows.rows[0].n).toBe(20 * 3 + WRITES);
      const after = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
      expect(after.map((c) => c.name)).toEqual(d.strategy.counters.map((c) => c.name));
      for (const c of after) {
        expect(c.usersInconsistent, c.name).toBe(0);
        expect(c.lost + c.extra, c.name).toBe(0);
      }
      // reads show the new count: every user got 3 writes
      if (d.strategy.readsCounter) expect(await d.strategy.read(d.conn, 7)).toBe(3 + 3);
    } finally {
      await d.teardown();
    }
  });

  it('generated-column is refused by Postgres itself, and nothing of it is left behind', async () => {
    const d = await deployForTest('generated-column');
    try {
      expect(d.deployed.status).toBe('not-deployable');
      expect(d.deployed.reason).toMatch(/cannot use subquery in column generation expression/);
      const r = await d.admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [d.ctx.schema]);
      expect(r.rowCount).toBe(0);
    } finally {
      await d.conn.pg.end().catch(() => {});
      await d.admin.end();
    }
  });

  it('redis-queue lags while its worker is stopped, and converges once drained', async () => {
    const d = await deployForTest('redis-queue', undefined, { ...TEST_OPTIONS, redisSyncIntervalMs: 60_000 });
    try {
      for (let i = 0; i < 30; i++) await d.strategy.write(d.conn, { userId: 1, sessionId: 2, questionJsonId: 'q', rawAnswer: 'x' });
      // no worker yet: the events wait in the queue and both counters lag by exactly 30
      const lagging = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
      for (const c of lagging) expect([c.name, c.lost]).toEqual([c.name, 30]);
      const jobs = await d.strategy.jobs!(jobContextFor(d));
      for (const j of jobs) await j.drain();
      for (const j of jobs) await j.stop();
      const done = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
      for (const c of done) expect([c.name, c.usersInconsistent]).toEqual([c.name, 0]);
      expect(await d.strategy.read(d.conn, 1)).toBe(33);
    } finally {
      await d.teardown();
    }
  });

  it('a DELETE leaves the INSERT-only triggers high, as the analysis says (Problem 3)', async () => {
    const d = await deployForTest('trigger-upsert');
    try {
      expect(await d.strategy.remove(d.conn, { userId: 4, sessionId: 8 })).toBe(true);
      const after = await exactCheck(d.conn.pg, d.conn.redis, d.strategy, d.ctx);
      for (const c of after) expect([c.name, c.extra, c.usersInconsistent]).toEqual([c.name, 1, 1]);
    } finally {
      await d.teardown();
    }
  });
});
