// load.via both through the real command line: every strategy once through its own SQL
// connections and once through an in-process serve driven by autocannon, and the exact drift
// check finds the same through the app: Migration 007 loses under same-user concurrency, the
// repaired trigger loses nothing.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Results, StrategyResult } from '../harness/results/types.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';
import { BIN } from './support/own-servers.ts';
import { replyOutcome } from '../harness/serve/http-phase.ts';
import { run } from '../harness/run/runner.ts';
import { RunMetrics } from '../harness/metrics/run-metrics.ts';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-http-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const SCENARIO = {
  name: 'http-e2e',
  description: 'SQL and HTTP side by side, same-user concurrency on 3 hot users',
  strategies: ['production-trigger', 'trigger-fixed'],
  data: { users: 200, sessionsPerUser: 1, answersPerUser: 5 },
  load: { model: 'closed', clients: 4, via: 'both', pool: 4 },
  phases: { warmup: 0, duration: 2 },
  mix: { write: 70, read: 25, delete: 5 },
  keys: { distribution: 'hotset', hotUsers: 3, hotShare: 0.5 },
  thresholds: ['ops.write.latencyMs.p99 < 5000'],
  options: { drainTimeout: '10s', driftSampleInterval: '200ms' },
};

describe('run with load.via both', () => {
  it("gives the HTTP twin a /metrics series of its own: its exact check does not overwrite the SQL turn's", async () => {
    const metrics = new RunMetrics();
    const dir = fs.mkdtempSync(path.join(out, 'metrics-'));
    const scenario = scenarioFromObject({ ...SCENARIO, name: 'http-metrics', strategies: ['trigger-fixed'], data: { users: 50, sessionsPerUser: 1, answersPerUser: 2 }, phases: { warmup: 0, duration: 1 } });
    await run({ scenario, outDir: dir, databaseUrl: testDatabaseUrl(), env: { REDIS_URL: testRedisUrl() }, namespace: uniqueTag(), metrics, log: () => {}, warn: () => {} });
    const text = await metrics.registry.metrics();
    const rate = (label: string) => text.split('\n').find((l) => l.startsWith(`counter_consistency_rate{strategy="${label}"`));
    expect(rate('trigger-fixed'), text).toBeDefined();
    expect(rate('trigger-fixed@http'), text).toBeDefined();
  });


  it('measures every strategy through SQL and through serve + autocannon, with the same drift findings', () => {
    const file = path.join(out, 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(SCENARIO));
    const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', file, '--namespace', uniqueTag(), '--out', out], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    const byId = (id: string): StrategyResult => results.strategies.find((s) => s.id === id)!;
    expect(results.strategies.map((s) => s.id)).toEqual(['baseline', 'baseline@http', 'production-trigger', 'production-trigger@http', 'trigger-fixed', 'trigger-fixed@http']);
    for (const id of ['baseline', 'production-trigger', 'trigger-fixed']) {
      const sql = byId(id);
      const http = byId(`${id}@http`);
      expect([id, sql.status, sql.via]).toEqual([id, 'ok', undefined]);
      expect([http.id, http.status, http.via, http.strategy]).toEqual([`${id}@http`, 'ok', 'http', id]);
      expect(http.http).toMatchObject({ pool: 4, connections: 4, latencyKind: 'service-time', autocannon: { non2xx: 0, errors: 0, timeouts: 0 } });
      for (const op of ['write', 'read'] as const) {
        const o = http.ops[op]!;
        expect(o.count, `${http.id} ${op}`).toBeGreaterThan(20);
        expect(o.errors).toBe(0);
        expect(o.latencyMs.p50).toBeGreaterThan(0);
        expect(o.latencyMs.p50).toBeLessThanOrEqual(o.latencyMs.p99);
      }
      // the server's cost of the HTTP phase, from Postgres, per write
      expect((http.server as { walBytesPerWrite: number }).walBytesPerWrite).toBeGreaterThan(0);
    }
    const lost = (s: StrategyResult) => s.drift!.counters.find((k) => k.name === 'user_stats.total_answers_lifetime')!.lost;
    // 007's advisory try-lock skips the counter of an answer whose user is being counted already
    expect(lost(byId('production-trigger'))).toBeGreaterThan(0);
    expect(lost(byId('production-trigger@http'))).toBeGreaterThan(0);
    for (const id of ['trigger-fixed', 'trigger-fixed@http']) expect([id, byId(id).drift!.consistent]).toEqual([id, true]);
    // every read through the app judged against what was acknowledged, and the exact one's in bounds
    expect(byId('trigger-fixed@http').drift!.reads!.judged).toBeGreaterThan(0);
    expect(byId('trigger-fixed@http').drift!.reads!.outOfBoundsPct).toBe(0);
    const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/## SQL-direct and through the app \(HTTP\)/);
    expect(md).toMatch(/\| `trigger-fixed` \| write \|.*\| \+?-?[\d.]+ ms \| exact \| exact \|/);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('id="http"');
  });

  it('refuses what autocannon cannot do, naming the field', () => {
    const bad = (load: object, extra: object = {}) => () => scenarioFromObject({ ...SCENARIO, load: { ...SCENARIO.load, ...load }, ...extra });
    expect(bad({}, { phases: { duration: 2, stages: [{ duration: 1, target: 8 }] } })).toThrow(/load\.via: both .*phases\.stages/);
    expect(bad({ workers: 2 })).toThrow(/load\.via: both: autocannon runs in the main thread/);
    expect(bad({ via: 'sql' })).toThrow(/load\.pool: .*only with load\.via http or both/);
    expect(bad({ via: 'grpc' })).toThrow(/load\.via: expected "sql", "http" or "both"/);
  });
});

describe("load.via http: serve's replies", () => {
  it('reads them without throwing: a 2xx that is not the JSON serve sends is an http-bad-body failure', () => {
    expect(replyOutcome('write', 201, '{"saved":true}')).toEqual({ ok: true });
    expect(replyOutcome('read', 200, '{"userId":3,"count":7}')).toEqual({ ok: true, count: 7 });
    expect(replyOutcome('delete', 200, '{"removed":false}')).toEqual({ ok: true, removed: false });
    // a proxy's page, a cut-off body, JSON without the field
    expect(replyOutcome('read', 200, '<html>Bad Gateway</html>')).toEqual({ ok: false, kind: 'http-bad-body', inDoubt: false });
    expect(replyOutcome('read', 200, '{"userId":3,"cou')).toEqual({ ok: false, kind: 'http-bad-body', inDoubt: false });
    expect(replyOutcome('read', 200, 'null')).toEqual({ ok: false, kind: 'http-bad-body', inDoubt: false });
    // the delete ran: whether it removed a row is unknown
    expect(replyOutcome('delete', 204, undefined)).toEqual({ ok: false, kind: 'http-bad-body', inDoubt: true });
    expect(replyOutcome('delete', 200, '{"ok":1}')).toEqual({ ok: false, kind: 'http-bad-body', inDoubt: true });
    expect(replyOutcome('write', 503, '{"error":"unavailable"}')).toEqual({ ok: false, kind: 'http-503', inDoubt: true });
    expect(replyOutcome('delete', 409, '{"error":"conflict"}')).toEqual({ ok: false, kind: 'http-409', inDoubt: false });
  });
});
