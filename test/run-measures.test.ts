// One short run of each of the analysis's strategies, then what issue 4 promises of it: exact
// drift, a timeline that converges, reads judged against what was acknowledged, and server cost
// from Postgres. (The strategies beyond the analysis are run under harder load, with deletes, in
// strategies-races.test.ts; smoke runs every one in cli-run.test.ts.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../harness/run/runner.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import type { Results, StrategyResult } from '../harness/results/types.ts';
import { connectPg } from '../harness/db/connect.ts';
import { dropSchema, listOwnSchemas } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

let results: Results;
let out: string;
const ns = uniqueTag();
const byId = (id: string): StrategyResult => results.strategies.find((s) => s.id === id)!;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-measures-'));
  const scenario = scenarioFromObject({
    name: 'measures',
    strategies: ['baseline', 'manual-update', 'trigger-upsert', 'production-trigger', 'materialized-view', 'generated-column', 'count-star', 'redis-queue'],
    data: { users: 200, sessionsPerUser: 1, answersPerUser: 5 },
    load: { model: 'closed', clients: 4 },
    phases: { warmup: 0, duration: 2 },
    mix: { write: 70, read: 30, delete: 0 },
    // half the operations on 3 users: same-user concurrency, where the advisory lock skips
    keys: { distribution: 'hotset', hotUsers: 3, hotShare: 0.5 },
    options: { mvRefreshInterval: '400ms', redisSyncInterval: '300ms', driftSampleInterval: '100ms', drainTimeout: '10s' },
  });
  // keep the schemas, so that the drift can be recomputed from the tables themselves
  const outcome = await run({ scenario, outDir: out, databaseUrl: testDatabaseUrl(), env: { REDIS_URL: testRedisUrl() }, namespace: ns, keep: true });
  results = outcome.results;
}, 180_000);

afterAll(async () => {
  fs.rmSync(out, { recursive: true, force: true });
  const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
  for (const s of await listOwnSchemas(c, ns)) await dropSchema(c, s);
  await c.end();
});

describe('a run measures', () => {
  it('drift exactly: lost and extra add up to the difference of counter and truth', () => {
    for (const s of results.strategies.filter((x) => x.status === 'ok' && x.drift)) {
      const ledger = s.drift!.ledger!;
      for (const c of s.drift!.counters) {
        expect(c.consistencyPct).toBeCloseTo(((c.usersChecked - c.usersInconsistent) / c.usersChecked) * 100, 6);
        if (c.usersInconsistent === 0) expect(c.lost + c.extra + c.maxAbsDrift).toBe(0);
        // without deletes every key's drift is a lost increment: the sum of counters falls short
        // of the truth by exactly lost, which the acknowledged ledger bounds
        expect(c.extra, `${s.id} ${c.name}`).toBe(0);
        expect(c.lost).toBeLessThanOrEqual(ledger.acknowledgedInserts + ledger.inDoubt);
      }
    }
    // recomputed by SQL straight from the kept tables: lost is the truth minus the counter, summed
    return (async () => {
      const c = await connectPg(testDatabaseUrl(), { schema: schemaFor('production-trigger', ns), applicationName: 'counterbench:test' });
      try {
        const r = await c.query<{ lost: string }>(`
          SELECT coalesce(sum(greatest(t.n - us.total_answers_lifetime, 0)), 0) AS lost
          FROM user_stats us
          JOIN (SELECT s.user_id, count(*) AS n FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id GROUP BY 1) t
            ON t.user_id = us.user_id`);
        const reported = byId('production-trigger').drift!.counters.find((k) => k.name === 'user_stats.total_answers_lifetime')!;
        expect(reported.lost).toBe(Number(r.rows[0].lost));
      } finally {
        await c.end();
      }
    })();
  });

  it('no lost increment where the analysis promises ACID or a row lock', () => {
    // the trigger's ON CONFLICT and the manual UPDATE's row lock lose nothing
    for (const id of ['trigger-upsert', 'manual-update', 'count-star']) expect([id, byId(id).drift!.consistent]).toEqual([id, true]);
  });

  it('a timeline for the asynchronous strategies that lags under load and converges after it', () => {
    for (const id of ['materialized-view', 'redis-queue']) {
      const d = byId(id).drift!;
      expect(d.timeline.length, id).toBeGreaterThan(5);
      const lagged = d.timeline.some((p) => Object.values(p.drift).some((v) => v !== 0));
      expect(lagged, `${id} never lagged`).toBe(true);
      const last = d.timeline[d.timeline.length - 1];
      expect(last.phase).toBe('drain');
      for (const [name, v] of Object.entries(last.drift)) expect([id, name, v]).toEqual([id, name, 0]);
      expect(d.convergeMs, id).not.toBeNull();
      expect(d.consistent).toBe(true);
      expect(d.sampler!.samples).toBeGreaterThan(5);
    }
  });

  it('reads of the view between refreshes out of bounds, reads of the trigger strategies within', () => {
    const mv = byId('materialized-view').drift!.reads!;
    expect(mv.judged).toBeGreaterThan(0);
    expect(mv.below).toBeGreaterThan(0);
    expect(mv.staleMs!.max).toBeGreaterThan(0);
    for (const id of ['trigger-upsert', 'count-star']) {
      const r = byId(id).drift!.reads!;
      expect(r.judged, id).toBeGreaterThan(0);
      expect([id, r.below, r.above]).toEqual([id, 0, 0]);
    }
  });

  it('server cost per write from Postgres wherever a write happened', () => {
    for (const s of results.strategies.filter((x) => x.status === 'ok')) {
      const server = s.server as { walBytesPerWrite: number | null; deadTuplesPerWrite: number | null; lockWaits: unknown };
      expect(s.ops.write!.count).toBeGreaterThan(0);
      expect(server.walBytesPerWrite, s.id).toBeGreaterThan(0);
      expect(server.deadTuplesPerWrite).not.toBeNull();
      expect(server.lockWaits).toBeTruthy();
    }
    // counters are updates: every strategy that keeps one in a table leaves dead rows, baseline none
    const dead = (id: string) => (byId(id).server as { deadTuplesPerWrite: number }).deadTuplesPerWrite;
    expect(dead('trigger-upsert')).toBeGreaterThan(dead('baseline'));
    // the refresher's work shows up as events on the timeline
    expect(byId('materialized-view').events!.some((e) => e.kind === 'mv-refresh')).toBe(true);
  });
});
