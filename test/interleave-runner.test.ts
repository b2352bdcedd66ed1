// The permutation runner on the real Postgres and Redis: the whole built-in set on every strategy
// (issue 10's read-modify-write control among them), finding each race the issue names every
// time, and none where there is none. Then errors as
// outcomes (a serialization failure, a deadlock), the same answer on a second run, and nothing
// left behind.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import { connectRedis } from '../harness/provision/redis.ts';
import { runInterleavings } from '../harness/interleave/interleave.ts';
import { interleavingProof } from '../harness/interleave/proof.ts';
import { loadSpecs, parseSpec } from '../harness/interleave/spec.ts';
import { STRATEGIES, strategyById } from '../harness/strategies/index.ts';
import type { InterleavingResult } from '../harness/results/types.ts';
import { oppositeOrder } from './support/interleave-strategies.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const target = () => ({ pgUrl: testDatabaseUrl(), redisUrl: testRedisUrl() });

describe('every spec on every strategy', () => {
  const ns = `il_${uniqueTag()}`;
  let all: InterleavingResult[];
  let seconds: number;

  beforeAll(async () => {
    const t = Date.now();
    all = await runInterleavings(target(), { strategies: [...STRATEGIES], namespace: ns });
    seconds = (Date.now() - t) / 1000;
    // a measurement to read in the log, not a timed assertion: the machine is shared
    console.log(`interleavings: the whole set for ${STRATEGIES.length} strategies took ${seconds.toFixed(1)} s`);
  });

  const of = (strategy: string, spec: string) => {
    const r = all.find((x) => x.strategy === strategy && x.spec === spec);
    expect(r, `${strategy} ${spec}`).toBeDefined();
    expect(r!.status, r!.reason).toBe('ok');
    return r!;
  };

  it('runs every spec that applies, each to the end', () => {
    for (const r of all.filter((x) => x.spec !== null)) {
      expect(r.status, `${r.strategy} ${r.spec}: ${r.reason}`).toBe('ok');
      expect(r.permutations.run + r.permutations.invalid).toBe(r.permutations.total);
      expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(r.permutations.run);
    }
    const skipped = all.filter((x) => x.spec === null).map((x) => [x.strategy, x.status, x.reason]);
    expect(skipped).toEqual([
      ['baseline', 'skipped', 'it keeps no counter: there is nothing an interleaving could lose'],
      ['generated-column', 'skipped', 'it keeps no counter: there is nothing an interleaving could lose'],
    ]);
  });

  it("finds Migration 007's skipped increment: the second insert's try-lock fails while the first holds it", () => {
    const r = of('production-trigger', 'two-inserts');
    expect(r.permutations.failing).toBeGreaterThan(0);
    const classic = r.failing.find((p) => p.order.join(' ') === 's1:BEGIN s1:write s2:BEGIN s2:write s1:COMMIT s2:COMMIT');
    expect(classic).toBeDefined();
    expect(classic!.outcome.kind).toBe('lost');
    expect(classic!.outcome.lost).toBe(1);
    for (const c of classic!.outcome.counters) expect(c.value - c.truth, c.name).toBe(-1);
    // no step waits: pg_try_advisory_xact_lock does not wait, it gives up
    expect(classic!.steps.some((s) => s.waitedOn)).toBe(false);
    // the loss is made by the second INSERT, seen in its own transaction before anyone commits
    const marked = classic!.steps.findIndex((s) => s.marks === 'lost');
    expect(classic!.steps[marked]).toMatchObject({ session: 's2', step: 'write' });
    expect(Object.values(classic!.steps[marked].ownDrift!)).toEqual([-1, -1, -1]);
    expect(classic!.steps[marked].sent[0]).toMatch(/^INSERT INTO user_answers_new/);
    // and that is the proof the claims will cite
    const proof = interleavingProof({ interleavings: all }, 'production-trigger', 'two-inserts')!;
    expect(proof.shortest!.order).toEqual(classic!.order);
    expect(proof.evidence).toMatch(/^this interleaving loses an increment every time: s1 BEGIN, s1 write, s2 BEGIN, s2 write, s1 COMMIT, s2 COMMIT/);
  });

  it('finds the read-modify-write lost update: both read before either writes', () => {
    const r = of('app-read-modify-write', 'two-inserts-statements');
    expect(r.sessions).toEqual({ s1: ['write.1', 'write.2', 'write.3'], s2: ['write.1', 'write.2', 'write.3'] });
    const race = r.failing.find((p) => p.order.join(' ') === 's1:write.1 s1:write.2 s2:write.1 s2:write.2 s1:write.3 s2:write.3');
    expect(race?.outcome.kind).toBe('lost');
    expect(race!.outcome.lost).toBe(1);
    // the second UPDATE writes back the value both read: that is where the increment goes
    expect(race!.steps.find((s) => s.marks)).toMatchObject({ session: 's2', step: 'write.3', marks: 'lost' });
    expect(race!.steps[5].sent[0]).toMatch(/^UPDATE user_stats SET total_answers_lifetime = \$2/);
  });

  it("finds the INSERT-only triggers' missed delete in every order", () => {
    for (const id of ['trigger-upsert', 'production-trigger']) {
      const r = of(id, 'insert-vs-delete');
      expect(r.outcomes, id).toEqual({ 'extra 1': r.permutations.run });
      const deleted = r.failing[0].steps.find((s) => s.step === 'delete')!;
      expect(deleted.sent[0]).toMatch(/^DELETE FROM user_answers_new/);
      expect(deleted.marks).toBe('extra');
    }
  });

  it("finds the manual UPDATE's loss when the application dies between its statements, and only then", () => {
    const r = of('manual-update', 'die-between-statements');
    expect(r.outcomes).toEqual({ 'lost 1': 3 });
    const p = r.failing[0];
    expect(p.order).toEqual(['writer:write.1', 'writer:die', 'reader:read']);
    expect(p.steps[0]).toMatchObject({ sent: [expect.stringMatching(/^INSERT INTO user_answers_new/)], marks: 'lost' });
    expect(p.steps[2].read).toEqual({ value: 0, truth: 1 });
    // UPDATE … SET n = n + 1 loses nothing without the crash, whole or statement by statement,
    // though one of two saves in transactions waits for the other's row lock
    for (const spec of ['two-inserts', 'two-inserts-statements', 'insert-vs-delete']) expect(of('manual-update', spec).permutations.failing, spec).toBe(0);
    expect(of('manual-update', 'two-inserts').permutations.invalid).toBeGreaterThan(0);
    expect(of('manual-update', 'two-inserts-statements').permutations.run).toBe(70);
    // between its INSERT and its UPDATEs a reader sees the count one short: a read, not a loss
    const between = of('manual-update', 'read-between-statements');
    expect(between.permutations.failing).toBe(0);
    expect(between.permutations.readsOff).toBeGreaterThan(0);
  });

  it('finds no failing permutation for the exact strategy', () => {
    for (const r of all.filter((x) => x.strategy === 'count-star')) {
      expect(r.permutations.failing, r.spec!).toBe(0);
      expect(r.permutations.readsOff, r.spec!).toBe(0);
    }
    expect(interleavingProof({ interleavings: all }, 'count-star')!.evidence).toMatch(/^no failing permutation among \d+ tried .* That covers only these statements at this isolation level/);
  });

  it("finds none for issue 10's exact strategies either, in any order of two saves, a save and a delete, or a read", () => {
    for (const id of ['trigger-fixed', 'statement-trigger', 'deferred-trigger', 'sharded-counter', 'delta-rollup', 'serializable-retry']) {
      const specs = all.filter((x) => x.strategy === id);
      expect(specs.map((r) => r.spec).sort(), id).toEqual(['insert-vs-delete', 'read-during-write', 'two-inserts']);
      for (const r of specs) expect([id, r.spec, r.status, r.permutations.failing, r.permutations.readsOff]).toEqual([id, r.spec, 'ok', 0, 0]);
    }
    // the buffered counter loses the increment of an application that dies between its COMMIT and
    // its HINCRBY, and counts one whose surrounding transaction the application rolled back
    expect(of('redis-after-commit', 'die-between-statements').outcomes).toEqual({ 'lost 1': 3 });
    expect(of('redis-after-commit', 'redis-rollback').permutations.failing).toBeGreaterThan(0);
  });

  it("shows what a reader of an eventually consistent counter sees before the jobs ran, and the count exact after", () => {
    for (const id of ['materialized-view', 'redis-queue']) {
      const r = of(id, 'read-during-write');
      expect(r.permutations.failing, id).toBe(0);
      const p = r.readsOff.find((x) => x.order.join(' ') === 'writer:BEGIN writer:write writer:COMMIT reader:read')!;
      expect(p.steps[3].read, id).toEqual({ value: 0, truth: 1 });
      expect(Object.values(p.settledDrift!), id).toEqual(Object.values(p.settledDrift!).map(() => 0));
    }
  });

  it("finds redis-queue's RPUSH counted for a transaction that was rolled back, and its loss when the application dies", () => {
    expect(of('redis-queue', 'redis-rollback').outcomes).toEqual({ 'extra 1': 10 });
    expect(of('redis-queue', 'die-between-statements').outcomes).toEqual({ 'lost 1': 3 });
    const rpush = of('redis-queue', 'redis-rollback').failing[0].steps.find((s) => s.step === 'write')!;
    expect(rpush.sent[1]).toMatch(/^RPUSH counterbench:/);
  });

  it('leaves no schema and no Redis key behind', async () => {
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    const redis = connectRedis(testRedisUrl());
    try {
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
      await redis.connect();
      expect(await redis.keys(`counterbench:${ns}*`)).toEqual([]);
    } finally {
      redis.disconnect();
      await admin.end();
    }
  });
});

describe('errors as outcomes', () => {
  it('a serialization failure at repeatable read, with the step that waited for it', async () => {
    const spec = parseSpec(
      {
        id: 'two-inserts-rr',
        title: 'Two inserts, repeatable read',
        about: 'the same two saves at repeatable read',
        appliesTo: { strategies: ['trigger-upsert'] },
        isolation: 'repeatable read',
        sessions: { s1: ['BEGIN', 'write', 'COMMIT'], s2: ['BEGIN', 'write', 'COMMIT'] },
      },
      'test',
    );
    const [r] = await runInterleavings(target(), { strategies: [strategyById('trigger-upsert')!], specs: [spec], namespace: `il_${uniqueTag()}` });
    expect(r.status, r.reason).toBe('ok');
    expect(r.outcomes['error 40001']).toBeGreaterThan(0);
    const p = r.failing.find((x) => x.order.join(' ') === 's1:BEGIN s1:write s2:BEGIN s2:write s1:COMMIT s2:COMMIT')!;
    expect(p.outcome).toMatchObject({ kind: 'error', lost: 0, extra: 0, error: { sqlstate: '40001', session: 's2', step: 'write' } });
    // s2's upsert waited on s1's row lock, and s1's COMMIT (step 5) released it into the failure
    expect(p.steps[3]).toMatchObject({ session: 's2', waitedOn: ['s1'], resumedAfter: 4, error: { sqlstate: '40001' } });
    expect(p.steps[0].sent).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ']);
  });

  it('a deadlock, the victim ended by the server as the isolation tester waits for it', async () => {
    const spec = parseSpec(
      {
        id: 'opposite-orders',
        title: 'A save against a delete, locks in opposite orders',
        about: 'each takes its first lock, then wants the other',
        appliesTo: { strategies: ['test-opposite-order'] },
        setup: ['write'],
        sessions: { s1: ['BEGIN', 'write.1', 'write.2', 'COMMIT'], s2: ['BEGIN', 'delete.1', 'delete.2', 'COMMIT'] },
      },
      'test',
    );
    const [r] = await runInterleavings(target(), { strategies: [oppositeOrder], specs: [spec], namespace: `il_${uniqueTag()}` });
    expect(r.status, r.reason).toBe('ok');
    expect(r.outcomes['error 40P01']).toBeGreaterThan(0);
    const p = r.failing.find((x) => x.order.join(' ') === 's1:BEGIN s1:write.1 s2:BEGIN s2:delete.1 s1:write.2 s2:delete.2 s1:COMMIT s2:COMMIT')!;
    expect(p.outcome.error?.sqlstate).toBe('40P01');
    expect(p.steps[4].waitedOn).toEqual(['s2']);
    // the transaction that survived committed; the victim's rolled back: the counters agree
    expect(p.outcome.counters.every((c) => c.value === c.truth)).toBe(true);
  });
});

describe('the same answer every time', () => {
  let first: InterleavingResult;
  let second: InterleavingResult;
  beforeAll(async () => {
    const specs = loadSpecs().filter((s) => s.id === 'two-inserts');
    const once = () => runInterleavings(target(), { strategies: [strategyById('production-trigger')!], specs, namespace: `il_${uniqueTag()}` }).then((r) => r[0]);
    first = await once();
    second = await once();
  });

  it('finds the same failing orders with the same outcomes on a second run', () => {
    expect(second.outcomes).toEqual(first.outcomes);
    expect(second.failing.map((p) => [p.order, p.outcome.kind, p.outcome.lost])).toEqual(first.failing.map((p) => [p.order, p.outcome.kind, p.outcome.lost]));
  });
});

