// The README's contract, end to end through the real command line.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_STRATEGY_IDS } from '../harness/config/strategy-ids.ts';
import type { Results } from '../harness/results/types.ts';

const BIN = path.resolve('bin/counterbench.mjs');

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The environment of a fresh machine: no DATABASE_URL, no REDIS_URL. */
function freshEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

describe('counterbench run', () => {
  it('with nothing configured, runs every strategy on an embedded Postgres and writes results.json', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-e2e-'));
    try {
      const r = cli(['run', '--scenario', 'smoke', '--duration', '1', '--out', out], freshEnv());
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
      expect(results.run.environment.target).toBe('embedded');
      expect(results.strategies.map((s) => s.id)).toEqual([...ALL_STRATEGY_IDS]);
      for (const s of results.strategies) {
        if (s.id === 'generated-column') {
          expect(s.status).toBe('not-deployable');
          expect(s.reason).toMatch(/subquery/);
          continue;
        }
        expect([s.id, s.status]).toEqual([s.id, 'ok']);
        for (const op of ['write', 'read'] as const) {
          const o = s.ops[op]!;
          expect(o.count, `${s.id} ${op}`).toBeGreaterThan(0);
          // a SERIALIZABLE write may run out of retries: what fails is a serialization failure
          if (s.id === 'serializable-retry') expect(Object.keys(o.errorsByKind ?? {}).filter((k) => k !== '40')).toEqual([]);
          else expect(o.errors, `${s.id} ${op}`).toBe(0);
          expect(o.throughput).toBeGreaterThan(0);
          for (const k of ['mean', 'p50', 'p95', 'p99', 'max'] as const) expect(o.latencyMs[k]).toBeGreaterThan(0);
          expect(o.latencyMs.p50).toBeLessThanOrEqual(o.latencyMs.p99);
        }
        expect(typeof s.drift!.consistent).toBe('boolean');
        for (const c of s.drift!.counters) {
          expect(Object.keys(c)).toEqual(expect.arrayContaining(['name', 'usersChecked', 'usersInconsistent', 'consistencyPct', 'lost', 'extra', 'maxAbsDrift']));
          expect(c.usersChecked).toBeGreaterThan(0);
        }
      }
      // the pgbench-style summary closes the run
      expect(r.stdout).toMatch(/strategy\s+status\s+write\/s/);
      expect(r.stdout).toContain('production-trigger');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('an unreachable DATABASE_URL is one line naming it, without the password, exit 2', () => {
    const env = { ...freshEnv(), DATABASE_URL: 'postgres://bench:s3cr3t-pw@127.0.0.1:1/selfology' };
    const r = cli(['run', '--scenario', 'smoke'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('127.0.0.1:1/selfology');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t-pw');
  });

  it('an unreachable REDIS_URL is bad configuration too: one line, exit 2, no password', () => {
    const env = { ...freshEnv(), REDIS_URL: 'redis://:r3dis-pw@127.0.0.1:1/0' };
    const r = cli(['run', '--scenario', 'smoke', '--strategies', 'redis-queue', '--duration', '1'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain('r3dis-pw');
  });

  it('bad flags and unknown scenarios exit 2 with a message naming them', () => {
    const bad = cli(['run', '--clients', 'many'], freshEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--clients/);
    const unknown = cli(['run', '--scenario', 'no-such-scenario'], freshEnv());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no-such-scenario/);
    const flag = cli(['run', '--frobnicate'], freshEnv());
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/frobnicate/);
  });
});
