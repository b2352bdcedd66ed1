// calibrate: the harness's figures always, pgbench's beside them when it is on PATH, and the
// password of the server in no output and on no command line.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import { findOnPath, parsePgbenchOutput, pgbenchArgs, pgbenchScript, pgEnvFromUrl } from '../harness/calibrate/pgbench.ts';
import type { Calibration } from '../harness/calibrate/calibrate.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');

/** The suite's URL with a password in it: its own, or one that trust authentication ignores. */
function urlWithPassword(): { url: string; password: string } {
  const u = new URL(testDatabaseUrl());
  if (u.password) return { url: u.toString(), password: decodeURIComponent(u.password) };
  const password = `cb-secret-${uniqueTag()}`;
  u.password = password;
  return { url: u.toString(), password };
}

describe('pgbench pieces', () => {
  it('runs the baseline INSERT with the driver’s parameters, and connects through the environment only', () => {
    const script = pgbenchScript(1000, 2);
    expect(script).toContain('\\set uid random(1, 1000)');
    expect(script).toContain('\\set sid :uid * 2');
    expect(script).toContain('INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES (:sid, :qid, :raw, :len) RETURNING id;');
    const env = pgEnvFromUrl('postgres://alice:s%40cret@db.example:6543/app?sslmode=require', 'counterbench_x_baseline');
    expect(env).toMatchObject({ PGHOST: 'db.example', PGPORT: '6543', PGUSER: 'alice', PGPASSWORD: 's@cret', PGDATABASE: 'app', PGSSLMODE: 'require' });
    expect(env.PGOPTIONS).toBe('-c search_path=counterbench_x_baseline');
    const args = pgbenchArgs({ clients: 4, threads: 2, seconds: 3 }, '/tmp/s.sql').join(' ');
    expect(args).toContain('-n -M prepared -c 4 -j 2 -T 3');
    expect(args).not.toMatch(/s@cret|alice|db\.example/);
    const f = parsePgbenchOutput('number of transactions actually processed: 120\nnumber of failed transactions: 0 (0.000%)\nlatency average = 1.250 ms\ninitial connection time = 3.1 ms\ntps = 1600.5 (without initial connection time)\n');
    expect(f).toEqual({ tps: 1600.5, latencyMeanMs: 1.25, transactions: 120, failed: 0 });
  });
});

describe('counterbench calibrate', () => {
  it('measures the harness and pgbench on the same schema, prints no password and drops its schema', async () => {
    const { url, password } = urlWithPassword();
    const ns = `cal_${uniqueTag()}`;
    const r = spawnSync(process.execPath, [BIN, 'calibrate', '--clients', '2', '--duration', '1', '--json', '--namespace', ns], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(password);
    expect(r.stderr).not.toContain(password);
    const c = JSON.parse(r.stdout) as Calibration;
    expect(c.clients).toBe(2);
    expect(c.harness.throughput).toBeGreaterThan(0);
    expect(c.harness.latencyMeanMs).toBeGreaterThan(0);
    expect(c.harness.errors).toBe(0);
    expect(c.harness.driver).toBe('lean');
    if (findOnPath('pgbench')) {
      expect(c.pgbench?.throughput).toBeGreaterThan(0);
      expect(c.pgbench?.latencyMeanMs).toBeGreaterThan(0);
      expect(c.ratio?.throughput).toBeGreaterThan(0);
      expect(c.ratio?.latency).toBeGreaterThan(0);
    } else {
      expect(c.pgbench).toBeNull();
      expect(c.pgbenchSkipped).toMatch(/not on PATH/);
    }
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('without pgbench on PATH says so and still prints the harness figures', () => {
    const ns = `cal_${uniqueTag()}`;
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-nopath-'));
    const r = spawnSync(process.execPath, [BIN, 'calibrate', '--clients', '1', '--duration', '1', '--namespace', ns], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), PATH: empty },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^harness\s+\d/m);
    expect(r.stdout).toContain('harness: the load driver on the lean connection');
    expect(r.stdout).toContain('pgbench: not run (pgbench is not on PATH)');
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
