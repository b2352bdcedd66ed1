import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import crypto from 'node:crypto';
import pg from 'pg';
import { startLockSampler } from '../harness/measure/lock-sampler.ts';
import { RunMetrics } from '../harness/metrics/run-metrics.ts';
import { createTestSchema, connectIn, sleep, type TestSchema } from './measure-fixture.ts';

let t: TestSchema;
const open: pg.Client[] = [];
beforeEach(async () => {
  t = await createTestSchema(3);
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.end().catch(() => {});
  await t.drop();
});

/** A connection outside the sampled prefix: the one holding the lock. */
const holder = async () => {
  const c = await connectIn(t.url, t.schema, `counterbench-test-holder:${t.schema}`);
  open.push(c);
  return c;
};
const waiter = async (name: string) => {
  const c = await t.connect(`:${name}`);
  open.push(c);
  return c;
};

/** Resolves once `n` backends of the prefix wait on a heavyweight lock. */
async function waitersBlocked(prefix: string, n: number) {
  for (let i = 0; i < 200; i++) {
    const r = await t.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE left(application_name, length($1)) = $1 AND wait_event_type = 'Lock'`,
      [prefix],
    );
    if (r.rows[0].n >= n) return;
    await sleep(10);
  }
  throw new Error(`${n} waiter(s) never blocked`);
}

describe('lock sampler', () => {
  it('sees an advisory lock wait', async () => {
    // a random key: advisory locks are database-wide
    const key = crypto.randomBytes(6).readUIntBE(0, 6);
    const h = await holder();
    await h.query('SELECT pg_advisory_lock($1)', [key]);
    // each wait, as it ends, also goes to a run's /metrics (run --metrics-port)
    const ended: Array<{ type: string; ms: number }> = [];
    const metrics = new RunMetrics();
    const phase = metrics.phase('waiter');
    const sampler = startLockSampler(t.url, {
      applicationNamePrefix: t.appPrefix,
      intervalMs: 20,
      onWaitEnded: (type, ms) => {
        ended.push({ type, ms });
        phase.lockWaitEnded(type, ms);
      },
    });
    const w = await waiter('w1');
    const blocked = w.query('SELECT pg_advisory_lock($1)', [key]);
    await waitersBlocked(t.appPrefix, 1);
    await sleep(500);
    await h.query('SELECT pg_advisory_unlock($1)', [key]);
    await blocked;
    await w.query('SELECT pg_advisory_unlock($1)', [key]);
    const stats = await sampler.stop();

    expect(stats.errors).toBe(0);
    const adv = stats.locks.advisory;
    expect(adv).toBeDefined();
    expect(adv.samples).toBeGreaterThan(3);
    expect(adv.distinct).toBe(1);
    expect(adv.maxConcurrent).toBe(1);
    expect(adv.estWaitMs).toBeGreaterThan(0);
    expect(adv.modes).toEqual({ ExclusiveLock: expect.any(Number) });
    expect(stats.lockWaitSamples).toBe(adv.samples);
    // the holder is outside the prefix: only one backend was ever sampled waiting
    expect(stats.activeBackendSamples).toBeGreaterThanOrEqual(adv.samples);
    // one wait of about the 500 ms it was held for (each sample counts up to four intervals)
    expect(ended).toHaveLength(1);
    expect(ended[0].type).toBe('advisory');
    expect(ended[0].ms).toBe(adv.estWaitMs);
    expect(ended[0].ms).toBeGreaterThanOrEqual(400);
    const text = await metrics.registry.metrics();
    expect(text).toContain('advisory_lock_wait_seconds_count{strategy="waiter"} 1\n');
    expect(text).toContain(`advisory_lock_wait_seconds_sum{strategy="waiter"} ${ended[0].ms / 1000}\n`);
    expect(text).toContain(`counterbench_lock_wait_seconds_total{strategy="waiter",locktype="advisory"} ${ended[0].ms / 1000}\n`);
  });

  it('sees row-lock waits: transactionid for the first waiter, tuple for the next', async () => {
    const h = await holder();
    await h.query('BEGIN');
    await h.query('UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + 1 WHERE user_id = 1');
    const sampler = startLockSampler(t.url, { applicationNamePrefix: t.appPrefix, intervalMs: 20 });
    const w1 = await waiter('w1');
    const b1 = w1.query('UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + 1 WHERE user_id = 1');
    await waitersBlocked(t.appPrefix, 1);
    const w2 = await waiter('w2');
    const b2 = w2.query('UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + 1 WHERE user_id = 1');
    await waitersBlocked(t.appPrefix, 2);
    await sleep(500);
    await h.query('COMMIT');
    await Promise.all([b1, b2]);
    const stats = await sampler.stop();

    expect(stats.errors).toBe(0);
    expect(stats.locks.transactionid?.samples).toBeGreaterThan(3);
    expect(stats.locks.transactionid?.modes).toHaveProperty('ShareLock');
    expect(stats.locks.tuple?.samples).toBeGreaterThan(3);
    // relations come schema-qualified: the sampler's search_path is not the strategy's
    expect(Object.keys(stats.locks.tuple?.relations ?? {})).toEqual([`${t.schema}.user_stats`]);
    const total = await t.admin.query(`SELECT total_answers_lifetime FROM ${t.schema}.user_stats WHERE user_id = 1`);
    expect(total.rows[0].total_answers_lifetime).toBe(3);
  });

  it('counts wait events that are not locks apart', async () => {
    const sampler = startLockSampler(t.url, { applicationNamePrefix: t.appPrefix, intervalMs: 20 });
    const w = await waiter('sleeper');
    await w.query('SELECT pg_sleep(0.3)');
    const stats = await sampler.stop();
    expect(stats.waitEvents['Timeout:PgSleep']?.distinct).toBe(1);
    expect(stats.waitEvents['Timeout:PgSleep']?.samples).toBeGreaterThan(3);
    expect(stats.locks).toEqual({});
  });

  it('returns empty stats when nothing waits', async () => {
    const sampler = startLockSampler(t.url, { applicationNamePrefix: t.appPrefix, intervalMs: 20 });
    await sleep(150);
    const stats = await sampler.stop();
    expect(stats.samples).toBeGreaterThan(1);
    expect(stats.locks).toEqual({});
    expect(stats.lockWaitMs).toBe(0);
  });
});
