import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Redis } from 'ioredis';
import type { DriftSample } from '../harness/results/types.ts';
import {
  startDriftSampler, convergeMs, driftOutside, defaultSumSql, combinedSumSql, type DriftPhase,
} from '../harness/measure/drift-sampler.ts';
import { testRedisUrl, uniqueTag } from './support/env.ts';
import { createTestSchema, insertAnswerSql, sleep, type TestSchema } from './measure-fixture.ts';

const s = (tMs: number, drift: Record<string, number>): DriftSample => ({ tMs, phase: 'load', drift });

describe('convergeMs', () => {
  it('is the time from the load end to the first sample of the final all-zero run', () => {
    const tl = [s(0, { a: 0 }), s(100, { a: -3 }), s(200, { a: -2, b: 0 }), s(300, { a: 0, b: 0 }), s(400, { a: 0, b: 0 })];
    expect(convergeMs(tl, 150)).toBe(150);
    // a zero in the middle that does not last does not count
    const flicker = [s(0, { a: -1 }), s(100, { a: 0 }), s(200, { a: -1 }), s(300, { a: 0 })];
    expect(convergeMs(flicker, 50)).toBe(250);
  });
  it('is 0 when the counters were exact when the load ended and stayed so', () => {
    expect(convergeMs([s(0, { a: -1 }), s(100, { a: 0 }), s(200, { a: 0 })], 150)).toBe(0);
  });
  it('is null when the counters never settle, or nothing was sampled after the load', () => {
    expect(convergeMs([s(0, { a: 0 }), s(100, { a: 2 })], 50)).toBeNull();
    expect(convergeMs([s(0, { a: 0 })], 50)).toBeNull();
    expect(convergeMs([], 0)).toBeNull();
  });
});

describe('drift arithmetic', () => {
  it('counts only what lies outside the truth while it was read', () => {
    expect(driftOutside(10, 10, 12)).toBe(0);
    expect(driftOutside(12, 12, 10)).toBe(0);
    expect(driftOutside(7, 10, 12)).toBe(-3);
    expect(driftOutside(15, 10, 12)).toBe(3);
  });
  it('builds one query for all Postgres counters', () => {
    expect(defaultSumSql('user_stats.total_answers_lifetime')).toBe('SELECT coalesce(sum("total_answers_lifetime"), 0) FROM "user_stats"');
    expect(() => defaultSumSql('nodot')).toThrow(/table.column/);
    const sql = combinedSumSql([
      { name: 'user_stats.total_answers_lifetime', scope: 'user', source: 'postgres' },
      { name: 'redis.x', scope: 'user', source: 'redis' },
      { name: 'mv.n', scope: 'user', source: 'postgres', sumSql: 'SELECT sum(n) FROM mv;' },
    ]);
    expect(sql).toMatch(/AS c0, \(SELECT sum\(n\) FROM mv\)::float8 AS c1$/);
    expect(combinedSumSql([{ name: 'r.x', scope: 'user', source: 'redis' }])).toBeNull();
  });
});

describe('drift sampler', () => {
  let t: TestSchema;
  let redis: Redis | undefined;
  const redisKey = `counterbench:${uniqueTag()}:total`;
  beforeEach(async () => {
    t = await createTestSchema(3);
  });
  afterEach(async () => {
    await redis?.del(redisKey);
    redis?.disconnect();
    redis = undefined;
    await t.drop();
  });

  it('records the drift of a lagging counter and its convergence once fixed', async () => {
    redis = new Redis(testRedisUrl());
    let truth = 0;
    let phase: DriftPhase = 'load';
    const startedAtMs = Date.now();
    const sampler = startDriftSampler({
      url: t.url,
      schema: t.schema,
      counters: [
        // kept per user and per session: both sum to the number of answers
        { name: 'user_stats.total_answers_lifetime', scope: 'user', source: 'postgres' },
        { name: 'onboarding_sessions.questions_answered', scope: 'session', source: 'postgres' },
        { name: 'redis.total', scope: 'user', source: 'redis' },
      ],
      truth: () => truth,
      redisSum: async () => Number((await redis!.get(redisKey)) ?? 0),
      intervalMs: 40,
      phase: () => phase,
      startedAtMs,
    });

    const driver = await t.connect();
    // the per-session counter is kept in the same transaction; the per-user one and Redis lag
    for (let i = 0; i < 5; i++) {
      await driver.query('BEGIN');
      await driver.query(insertAnswerSql, [1, `q${i}`, 'yes']);
      await driver.query('UPDATE onboarding_sessions SET questions_answered = questions_answered + 1 WHERE id = 1');
      await driver.query('COMMIT');
      truth++;
    }
    await sleep(300);
    const loadEndedAtMs = Date.now() - startedAtMs;
    phase = 'drain';
    await sleep(200);
    const fixStartedAtMs = Date.now() - startedAtMs;
    await driver.query(`UPDATE user_stats us SET total_answers_lifetime = (
      SELECT count(*) FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id WHERE s.user_id = us.user_id)`);
    await redis.set(redisKey, '5');
    await sleep(300);
    await driver.end();
    const timeline = await sampler.stop();

    expect(sampler.errors().count).toBe(0);
    expect(timeline.length).toBeGreaterThan(5);
    expect(timeline.every((x, i) => i === 0 || x.tMs >= timeline[i - 1].tMs)).toBe(true);
    const lagging = timeline.filter((x) => x.drift['user_stats.total_answers_lifetime'] === -5);
    expect(lagging.length).toBeGreaterThanOrEqual(2);
    expect(lagging.every((x) => x.drift['redis.total'] === -5)).toBe(true);
    expect(timeline.some((x) => x.phase === 'load') && timeline.some((x) => x.phase === 'drain')).toBe(true);
    // in step with the truth, the per-session counter never drifts
    expect(timeline.every((x) => x.drift['onboarding_sessions.questions_answered'] === 0)).toBe(true);
    const last = timeline[timeline.length - 1];
    expect(last.drift).toEqual({ 'user_stats.total_answers_lifetime': 0, 'onboarding_sessions.questions_answered': 0, 'redis.total': 0 });

    const converge = convergeMs(timeline, loadEndedAtMs);
    expect(converge).not.toBeNull();
    // converged at the first all-zero sample after the fix
    const firstZero = timeline.find((x) => x.tMs >= loadEndedAtMs && Object.values(x.drift).every((d) => d === 0))!;
    expect(converge).toBe(firstZero.tMs - loadEndedAtMs);
    expect(firstZero.tMs).toBeGreaterThanOrEqual(fixStartedAtMs - 40);
  });
});
