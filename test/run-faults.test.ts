// Faults mid-run, real ones: backends terminated on the real Postgres, a real redis-server
// restarted or killed, the application crashing between its INSERT and its UPDATE. Each must
// cost what it really costs, be recorded as the fault's, decide no claim, and leave no schema.
import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../harness/run/runner.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import type { Results, StrategyResult } from '../harness/results/types.ts';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import { freePort } from '../harness/provision/free-port.ts';
import { findOnPath } from '../harness/provision/find-on-path.ts';
import { checkClaims } from '../reports/claims.ts';
import { cleanCommand } from '../harness/cli/clean.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';
import { waitForWrites } from './support/wait-for-writes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function scenario(strategies: string[], faults: unknown[], extra: Record<string, unknown> = {}) {
  return scenarioFromObject({
    name: 'faults',
    strategies,
    data: { users: 50, sessionsPerUser: 1, answersPerUser: 2 },
    load: { model: 'closed', clients: 2 },
    phases: { warmup: 0, duration: 3 },
    mix: { write: 80, read: 20, delete: 0 },
    faults,
    options: { mvRefreshInterval: '200ms', redisSyncInterval: '200ms', driftSampleInterval: 0, drainTimeout: '10s' },
    ...extra,
  });
}

async function runIn(ns: string, s: ReturnType<typeof scenario>, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<{ results: Results; warnings: string[] }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-faults-'));
  const warnings: string[] = [];
  try {
    const o = await run({ scenario: s, outDir: out, databaseUrl: testDatabaseUrl(), env, namespace: ns, warn: (l) => warnings.push(l), signal });
    return { results: o.results, warnings };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const byId = (r: Results, id: string): StrategyResult => r.strategies.find((s) => s.id === id)!;

async function schemasLeft(ns: string): Promise<string[]> {
  const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
  try {
    return await listOwnSchemas(c, ns);
  } finally {
    await c.end();
  }
}

describe('two runs on one server', () => {
  it('a second run in the same namespace is refused, naming who holds it; the first is untouched', async () => {
    const ns = uniqueTag();
    const first = runIn(ns, scenario(['trigger-upsert'], [], { phases: { warmup: 0, duration: 3 } }), {});
    const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      for (let i = 0; i < 200 && (await listOwnSchemas(c, ns)).length === 0; i++) await sleep(50);
    } finally {
      await c.end();
    }
    await expect(runIn(ns, scenario(['trigger-upsert'], []), {})).rejects.toThrow(/another counterbench run is using --namespace .*--namespace NAME/);
    // clean leaves a live run's schemas alone
    const lines: string[] = [];
    const code = await cleanCommand(['--database-url', testDatabaseUrl(), '--namespace', ns], { out: (t) => lines.push(t), err: (t) => lines.push(t), tty: false });
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`left alone counterbench_${ns}_\\w+: the run in namespace ${ns} is still live`));
    const { results } = await first;
    for (const x of results.strategies) expect(x.status, `${x.id}: ${x.reason}`).toBe('ok');
    expect(await schemasLeft(ns)).toEqual([]);
  });
});

describe('faults', () => {
  it("a terminated job connection is replaced: the counters still converge, and the fault is the fault's", async () => {
    const ns = uniqueTag();
    const { results } = await runIn(
      ns,
      scenario(['redis-queue', 'materialized-view'], [{ kind: 'terminate-job-connection', at: '1s' }]),
      { REDIS_URL: testRedisUrl() },
    );
    for (const id of ['redis-queue', 'materialized-view']) {
      const s = byId(results, id);
      expect(s.status, s.reason).toBe('ok');
      // the job reconnected and drained: nothing lost to the fault
      expect(s.drift!.consistent, JSON.stringify(s.drift!.counters)).toBe(true);
      const f = s.faults!.find((x) => x.kind === 'terminate-job-connection')!;
      expect(f.injected && f.happened).toBe(true);
      expect(f.cost.downMs).not.toBeNull();
      expect(s.events!.some((e) => e.kind === 'job-reconnect')).toBe(true);
    }
    // baseline has no job: the fault is recorded as not injected there, with why
    const b = byId(results, 'baseline').faults!.find((x) => x.kind === 'terminate-job-connection')!;
    expect(b.happened).toBe(false);
    expect(b.detail).toMatch(/no background job/);
    // no claim is decided on a phase that had a fault
    const consistency = checkClaims(results).find((c) => c.id === 'event-driven-consistency')!;
    expect(consistency.status).toBe('not measured');
    expect(consistency.evidence).toMatch(/faults/);
    expect(await schemasLeft(ns)).toEqual([]);
  });

  it('a terminated load connection is replaced; what it failed is counted as the fault\'s', async () => {
    const ns = uniqueTag();
    const { results } = await runIn(ns, scenario(['trigger-upsert'], [{ kind: 'terminate-load-connection', at: '1s' }]), {});
    for (const s of results.strategies) {
      expect(s.status, `${s.id}: ${s.reason}`).toBe('ok');
      const f = s.faults!.find((x) => x.kind === 'terminate-load-connection')!;
      expect(f.happened, f.detail).toBe(true);
      expect(f.cost.downMs).not.toBeNull();
      expect(s.reconnects).toBeGreaterThanOrEqual(1);
      // a write cut by the termination either committed or did not: the trigger keeps count either way
      if (s.counters.length) expect(s.drift!.consistent, JSON.stringify(s.drift!.counters)).toBe(true);
      expect(s.faults!.filter((x) => !x.injected)).toEqual([]);
    }
    expect(await schemasLeft(ns)).toEqual([]);
  });

  it('the application crashing between INSERT and UPDATE loses exactly the crashed writes, attributed to the crash', async () => {
    const ns = uniqueTag();
    const { results } = await runIn(ns, scenario(['manual-update'], [{ kind: 'app-crash-after-insert', at: '1s', count: 3, strategies: ['manual-update'] }]), {});
    const s = byId(results, 'manual-update');
    expect(s.status, s.reason).toBe('ok');
    const f = s.faults!.find((x) => x.kind === 'app-crash-after-insert')!;
    expect(f.happened).toBe(true);
    expect(f.cost.appCrashes).toBe(3);
    // every counter is short by exactly the three INSERTs whose UPDATEs never ran
    for (const c of s.drift!.counters) {
      expect(c.lost, c.name).toBe(3);
      expect(c.extra, c.name).toBe(0);
    }
    expect(s.ops.write!.errorsByKind!['app-crash']).toBe(3);
    // the crash is the fault's: manual-update's race claim is not decided by it
    expect(checkClaims(results).find((c) => c.id === 'manual-race')!.status).toBe('not measured');
    // baseline's write is one statement: nothing to crash between
    const b = byId(results, 'baseline');
    expect(b.faults, JSON.stringify(b.faults)).toBeUndefined();
  });

  it("losing the harness's admin connection mid-run fails nothing: it is replaced, and later strategies run", async () => {
    const ns = uniqueTag();
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    const s = scenario(['trigger-upsert', 'count-star'], [], { phases: { warmup: 0, duration: 2 } });
    const running = runIn(ns, s, {});
    try {
      // the run's admin connection is the one holding its namespace's advisory lock
      let killed = 0;
      // strike once the first strategy's load runs
      await waitForWrites(admin, `counterbench_${ns}_trigger_upsert`, 100);
      const r = await admin.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
        [`counterbench:${ns}`],
      );
      killed = r.rows.filter((x) => x.ok).length;
      expect(killed).toBe(1);
      const { results } = await running;
      for (const x of results.strategies) expect(x.status, `${x.id}: ${x.reason}`).toBe('ok');
      expect(results.strategies.some((x) => x.faults?.some((f) => f.kind === 'postgres-connection-lost'))).toBe(true);
    } finally {
      await running.catch(() => {});
      await admin.end();
    }
    expect(await schemasLeft(ns)).toEqual([]);
  });

  it('Redis going away mid-run keeps the load figures and says that Redis went away', async () => {
    const bin = findOnPath('redis-server');
    if (!bin) return;
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-redis-test-'));
    const redis: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    const ns = uniqueTag();
    try {
      await sleep(300);
      const s = scenario(['redis-queue'], [], { phases: { warmup: 0, duration: 3 } });
      const running = runIn(ns, s, { REDIS_URL: `redis://127.0.0.1:${port}` });
      // strike in the middle of redis-queue's load
      const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
      try {
        await waitForWrites(admin, `counterbench_${ns}_redis_queue`, 100);
      } finally {
        await admin.end();
      }
      redis.kill('SIGKILL');
      const { results } = await running;
      const q = byId(results, 'redis-queue');
      expect(q.status).toBe('failed');
      expect(q.reason).toMatch(/Redis at 127\.0\.0\.1:\d+ went away/);
      expect(q.reason).not.toMatch(/Stream isn't writeable/);
      // the load's figures are kept, its Redis errors named as such
      expect(q.ops.write!.count).toBeGreaterThan(0);
      expect(q.ops.write!.errorsByKind!.redis).toBeGreaterThan(0);
      const lost = q.faults!.find((f) => f.kind === 'redis-lost' && !f.injected)!;
      // it never came back: every Redis failure from then on is the fault's cost
      expect(lost.cost.downMs).toBeNull();
      const redisErrors = Object.values(q.ops).reduce((n, op) => n + (op?.errorsByKind?.redis ?? 0), 0);
      expect(lost.cost.errors).toBeGreaterThanOrEqual(redisErrors);
      expect(byId(results, 'baseline').status).toBe('ok');
    } finally {
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await schemasLeft(ns)).toEqual([]);
  });

  it('a restarted Redis that the harness owns: the run goes on, and the lost queue is the fault\'s cost', async () => {
    if (!findOnPath('redis-server')) return;
    const ns = uniqueTag();
    // no REDIS_URL: the harness starts its own redis-server, so it may restart it
    const { results } = await runIn(ns, scenario(['redis-queue'], [{ kind: 'redis-restart', at: '1s' }]), {});
    const q = byId(results, 'redis-queue');
    const f = q.faults!.find((x) => x.kind === 'redis-restart')!;
    expect(f.happened, f.detail).toBe(true);
    expect(f.cost.downMs).toBeGreaterThan(0);
    expect(q.ops.write!.count).toBeGreaterThan(0);
    expect(['ok', 'failed']).toContain(q.status);
    expect(checkClaims(results).find((c) => c.id === 'event-driven-consistency')!.status).toBe('not measured');
    expect(await schemasLeft(ns)).toEqual([]);
  });

  it('a restarted embedded Postgres: load and jobs reconnect, the trigger stays exact, the outage is the fault\'s', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-faults-'));
    try {
      // no DATABASE_URL: the harness owns its embedded server, so it may restart it
      const o = await run({
        scenario: scenario(['trigger-upsert', 'materialized-view'], [{ kind: 'postgres-restart', at: '1s', strategies: ['trigger-upsert', 'materialized-view'] }]),
        outDir: out,
        env: {},
      });
      for (const id of ['trigger-upsert', 'materialized-view']) {
        const s = byId(o.results, id);
        expect(s.status, `${id}: ${s.reason}`).toBe('ok');
        const f = s.faults!.find((x) => x.kind === 'postgres-restart')!;
        expect(f.happened, f.detail).toBe(true);
        expect(f.cost.downMs).toBeGreaterThan(0);
        // the connections that broke reconnected, and what they failed is counted
        expect(s.reconnects).toBeGreaterThan(0);
        // writes are one transaction each: whatever the restart cut, counters and rows agree
        expect(s.drift!.consistent, JSON.stringify(s.drift!.counters)).toBe(true);
        // the restart explains every lost connection: nothing is listed twice as "suffered"
        expect(s.faults!.filter((x) => !x.injected)).toEqual([]);
      }
      const b = byId(o.results, 'baseline');
      expect(b.faults, JSON.stringify(b.faults)).toBeUndefined();
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
