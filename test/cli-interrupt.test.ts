// Thresholds turn a run into pass or fail; Ctrl-C keeps what was measured and cleans up.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import type { Results } from '../harness/results/types.ts';
import { waitForWrites } from './support/wait-for-writes.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');
const env = () => ({ ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() });

function scenarioFile(dir: string, body: Record<string, unknown>): string {
  const p = path.join(dir, 'scenario.json');
  fs.writeFileSync(p, JSON.stringify(body));
  return p;
}

const SMALL = {
  name: 'cli-test',
  description: 'tiny',
  strategies: ['baseline', 'trigger-upsert'],
  data: { users: 100, sessionsPerUser: 1, answersPerUser: 2 },
  load: { model: 'closed', clients: 2 },
  phases: { warmup: 0, duration: 1 },
  mix: { write: 80, read: 20, delete: 0 },
};

describe('run exit codes', () => {
  it('a failing threshold exits 1, a passing one 0, and both are in results.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-th-'));
    try {
      const failing = scenarioFile(dir, { ...SMALL, thresholds: ['ops.write.latencyMs.p99 < 0.001', 'ops.write.count > 0'] });
      const ns = uniqueTag();
      const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', failing, '--out', dir, '--namespace', ns], { env: env(), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      const th = results.run.thresholds!;
      expect(th.filter((t) => t.expression.startsWith('ops.write.latencyMs.p99')).every((t) => !t.passed)).toBe(true);
      expect(th.filter((t) => t.expression.startsWith('ops.write.count')).every((t) => t.passed)).toBe(true);
      expect(r.stdout).toMatch(/FAIL/);

      const passing = scenarioFile(dir, { ...SMALL, thresholds: ['ops.write.count > 0'] });
      const ok = spawnSync(process.execPath, [BIN, 'run', '--scenario', passing, '--out', dir, '--json', '--namespace', ns], { env: env(), encoding: 'utf8' });
      expect(ok.status, ok.stderr).toBe(0);
      // --json: stdout is results.json and nothing else
      const printed = JSON.parse(ok.stdout) as Results;
      expect(printed.strategies.map((s) => s.id)).toEqual(['baseline', 'trigger-upsert']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a scenario written by hand in YAML runs in the open model, judged by its thresholds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-open-'));
    try {
      const file = path.join(dir, 'open.yaml');
      fs.writeFileSync(
        file,
        [
          '# a hand-written open-model scenario',
          'name: hand-open',
          'description: 150 arrivals per second against two strategies',
          'strategies: [trigger-upsert, count-star]',
          'data: { users: 100, sessionsPerUser: 2, answersPerUser: 4 }',
          'load: { model: open, rate: 150, clients: 3, maxInFlight: 300 }',
          'phases: { warmup: 500ms, duration: 2s }',
          'mix: { write: 60, read: 40, delete: 0 }',
          'keys: { distribution: zipfian, exponent: 1.2 }',
          'thresholds:',
          '  - ops.write.throughput > 60',
          '  - expression: drift.consistencyPct == 100',
          '    strategies: [trigger-upsert, count-star]',
          '',
        ].join('\n'),
      );
      const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', file, '--out', dir, '--namespace', uniqueTag()], { env: env(), encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      expect(results.run.scenario.load).toEqual({ kind: 'open', rate: 150, clients: 3, maxInFlight: 300 });
      for (const s of results.strategies) {
        const w = s.ops.write!;
        // 60% of 150/s over 2 s, all of them served: the schedule is the same for every strategy
        expect(w.count + (s.ops.read?.count ?? 0), s.id).toBe(300);
      }
      const outcomes = results.run.thresholds!;
      expect(outcomes.length).toBeGreaterThanOrEqual(5);
      expect(outcomes.every((t) => t.passed)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C saves partial results marked interrupted, exits 130 and leaves no schema behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-int-'));
    const ns = uniqueTag();
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      const file = scenarioFile(dir, { ...SMALL, phases: { warmup: 0, duration: 60 } });
      const child = spawn(process.execPath, [BIN, 'run', '--scenario', file, '--out', dir, '--namespace', ns], { env: env() });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // wait until the strategies are deployed and baseline's load has run a little
      for (let i = 0; i < 200 && (await listOwnSchemas(admin, ns)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await listOwnSchemas(admin, ns)).toHaveLength(2);
      await waitForWrites(admin, schemaFor('baseline', ns), 200);
      await new Promise((r) => setTimeout(r, 1000));
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).toBe(130);
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      expect(results.run.interrupted).toBe(true);
      // the strategy cut short keeps its partial figures; the one that never had its turn says so
      expect(results.strategies.map((s) => [s.id, s.status])).toEqual([
        ['baseline', 'interrupted'],
        ['trigger-upsert', 'not-run'],
      ]);
      expect(results.strategies[0].ops.write!.count).toBeGreaterThan(0);
      expect(results.strategies[1].reason).toMatch(/before its turn/);
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C during deployment exits 130 with results that say what never ran, and no schema left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-intdep-'));
    const ns = uniqueTag();
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      // a seed big enough that the interruption lands inside it
      const file = scenarioFile(dir, { ...SMALL, data: { users: 20000, sessionsPerUser: 1, answersPerUser: 20 } });
      const child = spawn(process.execPath, [BIN, 'run', '--scenario', file, '--out', dir, '--namespace', ns], { env: env() });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      for (let i = 0; i < 300 && (await listOwnSchemas(admin, ns)).length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).toBe(130);
      expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      expect(results.run.interrupted).toBe(true);
      for (const s of results.strategies) {
        expect(s.status, s.id).toBe('not-run');
        expect(s.reason, s.id).toMatch(/interrupted \(Ctrl-C\)/);
      }
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
