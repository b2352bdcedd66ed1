// `counterbench capacity` as a user runs it: bad input exits 2 with one line, a CI-sized search
// writes the capacity section into every report, Ctrl-C keeps the steps measured and exits 130.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import type { Results } from '../harness/results/types.ts';
import { CAPACITY_CSV_COLUMNS } from '../reports/capacity-csv.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');
const env = (extra: Record<string, string> = {}) => ({ ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl(), ...extra });

function capacityCli(args: string[], e = env()) {
  return spawnSync(process.execPath, [BIN, 'capacity', ...args], { env: e, encoding: 'utf8' });
}

function scenarioFile(dir: string, capacity: Record<string, unknown>): string {
  const p = path.join(dir, 'capacity.json');
  fs.writeFileSync(
    p,
    JSON.stringify({
      name: 'capacity-cli-test',
      kind: 'capacity',
      description: 'tiny',
      strategies: ['trigger-upsert'],
      data: { sessionsPerUser: 1, answersPerUser: 2 },
      capacity: { users: [100], sloP99: [100], warmup: '200ms', window: '1s', startRate: 50, growth: 4, maxRate: 200, budget: '1m', profile: { users: 100, peakWritesPerUserPerSecond: 0.1 }, ...capacity },
    }),
  );
  return p;
}

describe('capacity: bad input is one line and exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an SLO that is not a positive number', ['--slo-p99', '0'], /^counterbench capacity: --slo-p99: expected a positive number of milliseconds/],
    ['an SLO that is not a number', ['--slo-p99', 'fast'], /^counterbench capacity: --slo-p99: .*got "fast"/],
    ['a budget too small for even one step', ['--budget', '3s'], /^counterbench capacity: --budget: 3s is too small for even one step/],
    ['--users with a non-number', ['--users', '1000,lots'], /^counterbench capacity: --users: expected a comma-separated list of whole numbers .*got "lots"/],
    ['a profile that contradicts the data size', ['--users', '100'], /^counterbench capacity: scenarios\/capacity\.yaml: capacity\.profile\.users: 1000 users today is more than the largest data size searched \(100, from --users\)/],
    ['a run scenario', ['--scenario', 'smoke'], /^counterbench capacity: scenarios\/smoke\.yaml is not a capacity scenario/],
    ['an unknown strategy', ['--strategies', 'trigger-upsrt'], /^counterbench capacity: --strategies: unknown strategy "trigger-upsrt"/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = capacityCli(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('an unreachable server, without its password', () => {
    const r = capacityCli(['--scenario', 'capacity-ci'], env({ DATABASE_URL: 'postgres://bench:s3cret-pw@127.0.0.1:1/test' }));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^counterbench capacity: cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('run refuses a capacity scenario and names the command to use', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', 'capacity'], { env: env(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('run it with "counterbench capacity --scenario capacity"');
  });
});

describe('capacity: a whole search', () => {
  it('writes the capacity section into results.json, report.html, summary.md and results.csv', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-capacity-cli-'));
    const ns = uniqueTag();
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      const r = capacityCli(['--scenario', scenarioFile(dir, {}), '--out', dir, '--json', '--namespace', ns]);
      expect(r.status, r.stderr).toBe(0);
      // --json: stdout is results.json and nothing else
      const printed = JSON.parse(r.stdout) as Results;
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      expect(printed.run.id).toBe(results.run.id);
      const c = results.capacity!;
      expect(c.settings).toMatchObject({ users: [100], sloP99Ms: [100], maxErrorPct: 0.1, maxShortfallPct: 5, writeShare: 1 });
      // baseline is always searched beside the strategies asked for
      expect(c.searches.map((s) => `${s.strategy}@${s.users}`)).toEqual(['baseline@100', 'trigger-upsert@100']);
      for (const s of c.searches) {
        expect(s.steps.length, s.strategy).toBeGreaterThan(0);
        expect(s.steps[0].offeredRate).toBe(50);
        expect(s.knees).toHaveLength(1);
        expect(s.knees[0].limit).not.toBe('not-measured');
        // every step kept its figures: the window's writes, errors and the harness's own
        for (const st of s.steps) {
          expect(st.writes + st.errors, `${s.strategy} at ${st.offeredRate}/s`).toBe(Math.round(st.offeredRate * st.windowSeconds));
          expect(st.harness.cpuPct).toBeGreaterThan(0);
          expect(st.drift === null).toBe(s.strategy === 'baseline');
        }
        // an exact strategy that stayed exact
        if (s.strategy === 'trigger-upsert') expect(s.steps.every((st) => st.drift!.added === 0 && st.drift!.consistent)).toBe(true);
        expect(typeof s.knees[0].headroom).toBe('number');
      }
      expect(c.crossings).toHaveLength(2);
      expect(results.strategies.map((s) => s.status)).toEqual(['ok', 'ok']);

      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(html).toContain('id="chart-capacity-latency-100"');
      expect(html).toContain('id="chart-capacity-throughput-100"');
      const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
      expect(md).toMatch(/### 100 users\n\n\| strategy \| knee p99 ≤ 100 ms \| limited by \| headroom \| steps \| search \|/);
      const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8').split('\r\n');
      expect(csv[0]).toBe(CAPACITY_CSV_COLUMNS.join(','));
      expect(csv.filter((l) => /^(baseline|trigger-upsert),100,100,/.test(l))).toHaveLength(2);
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C keeps the steps measured, marked interrupted, exits 130 and leaves no schema behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-capacity-int-'));
    const ns = uniqueTag();
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      // a search with far to go: steps of 2 s, a ceiling it will not reach before the signal
      const file = scenarioFile(dir, { window: '2s', growth: 1.5, maxRate: 100_000, budget: '5m' });
      const child = spawn(process.execPath, [BIN, 'capacity', '--scenario', file, '--out', dir, '--namespace', ns], { env: env() });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      for (let i = 0; i < 200 && (await listOwnSchemas(admin, ns)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await listOwnSchemas(admin, ns)).toHaveLength(2);
      // baseline searches first: let it finish a few steps
      await new Promise((r) => setTimeout(r, 7000));
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).toBe(130);
      const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
      expect(results.run.interrupted).toBe(true);
      expect(results.capacity!.interrupted).toBe(true);
      const [base, trigger] = results.capacity!.searches;
      expect(base.status).toBe('interrupted');
      expect(base.steps.length).toBeGreaterThan(0);
      expect(base.knees[0]).toMatchObject({ limit: 'interrupted', lowerBound: true });
      expect(trigger.status).toBe('interrupted');
      expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true);
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
