// micro: every selected strategy's write and read timed by tinybench, nothing left behind.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import type { MicroResult } from '../harness/micro/micro.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');

describe('counterbench micro', () => {
  it('times a write and a read of each strategy and drops every schema', async () => {
    const ns = `mic_${uniqueTag()}`;
    const r = spawnSync(
      process.execPath,
      [BIN, 'micro', '--strategies', 'baseline,trigger-upsert,generated-column', '--time', '30', '--json', '--namespace', ns],
      { env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() }, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as MicroResult;
    expect(m.strategies.map((s) => s.id)).toEqual(['baseline', 'trigger-upsert', 'generated-column']);
    for (const s of m.strategies.slice(0, 2)) {
      expect(s.status).toBe('ok');
      expect(s.ops.map((o) => o.op)).toEqual(['write', 'read']);
      for (const o of s.ops) {
        expect(o.error).toBeUndefined();
        expect(o.meanMs).toBeGreaterThan(0);
        expect(o.p99Ms).toBeGreaterThan(0);
        expect(o.samples).toBeGreaterThan(0);
      }
    }
    expect(m.strategies[1].ops[0].claimed).toBe('0.5-1 ms');
    expect(m.strategies[2].status).toBe('not-deployable');
    expect(m.strategies[2].reason).toMatch(/generat/i);
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('rejects an unknown strategy with exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'micro', '--strategies', 'baseline,nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown strategy "nope"');
  });
});
