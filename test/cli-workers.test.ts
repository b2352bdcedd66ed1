// `counterbench run --workers N` through the real command line: the load in worker threads, the
// results of a normal run, and a bad value as one line with exit code 2.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Results } from '../harness/results/types.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');

function cli(args: string[]) {
  const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() };
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('counterbench run --workers', () => {
  it('runs the load in two worker threads, Redis strategy included, and reports them', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-workers-'));
    try {
      const r = cli(['run', '--scenario', 'smoke', '--strategies', 'trigger-upsert,redis-queue', '--duration', '2', '--workers', '2', '--json', '--out', out, '--namespace', uniqueTag()]);
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
      for (const s of results.strategies) {
        expect([s.id, s.status]).toEqual([s.id, 'ok']);
        expect(s.ops.write!.count).toBeGreaterThan(0);
        expect(s.ops.write!.errors).toBe(0);
        expect(s.drift!.ledger!.inDoubt).toBe(0);
        // baseline, always measured beside them, has no counter to judge reads of
        if (s.id !== 'baseline') expect(s.drift!.reads!.judged).toBe(s.ops.read!.count);
        expect(s.harness!.workers).toHaveLength(2);
      }
      // the INSERT-only trigger loses nothing; every extra is an acknowledged delete
      const tu = results.strategies.find((s) => s.id === 'trigger-upsert')!;
      const stats = tu.drift!.counters.find((c) => c.name === 'user_stats.total_answers_lifetime')!;
      expect(stats.lost).toBe(0);
      expect(stats.extra).toBe(tu.drift!.ledger!.acknowledgedDeletes);
      // the drift sampler in the main thread followed the workers' live truth: the counter never
      // ran ahead of it by more than the deletes it cannot see (by the inserts, had it not)
      const timeline = tu.drift!.timeline;
      expect(timeline.filter((p) => p.phase === 'load').length).toBeGreaterThan(2);
      expect(tu.drift!.ledger!.acknowledgedInserts).toBeGreaterThan(5 * tu.drift!.ledger!.acknowledgedDeletes);
      for (const p of timeline) expect(p.drift['user_stats.total_answers_lifetime']).toBeLessThanOrEqual(tu.drift!.ledger!.acknowledgedDeletes);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('a bad value is one line naming the flag, exit 2', () => {
    for (const [value, message] of [
      ['0', '--workers: expected an integer >= 1'],
      ['9', '--workers: expected at most the number of load connections (4, one per client), got 9'],
    ]) {
      const r = cli(['run', '--scenario', 'smoke', '--workers', value]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
  });
});
