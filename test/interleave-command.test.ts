// `counterbench interleave` through the real command line: the table and the timeline on the
// terminal, results.json and the reports with --out, a spec file of one's own, and bad input as one
// line with exit 2 before anything is deployed.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPg } from '../harness/db/connect.ts';
import { listOwnSchemas } from '../harness/db/schemas.ts';
import type { Results } from '../harness/results/types.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const servers = () => ({ DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() });

describe('counterbench interleave', () => {
  it('prints every spec of each strategy and draws the shortest failing order of each', async () => {
    const ns = `ilc_${uniqueTag()}`;
    const r = await cli(['interleave', '--strategies', 'production-trigger,count-star', '--namespace', ns], servers());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => /^production-trigger\s+two-inserts\s+20\s+0\s+\d+\s+/.test(l))).toMatch(/lost 1 ×\d+/);
    expect(lines.find((l) => /^count-star\s+two-inserts\s+/.test(l))).toMatch(/exact ×20$/);
    expect(r.stdout).toContain('production-trigger: this interleaving loses an increment every time: s1 BEGIN, s1 write, s2 BEGIN, s2 write, s1 COMMIT, s2 COMMIT');
    // the timeline: a column per session, the loss beside the second INSERT
    const row4 = lines.find((l) => /^\s+4\s+/.test(l) && l.includes('the increment is lost here'))!;
    expect(row4).toMatch(/^\s+4\s{46,}INSERT INTO user_answers_new\s+0\s+own view: counters −1; the increment is lost here$/);
    expect(r.stdout).toMatch(/count-star: no failing permutation among 44 tried .* That covers only these statements at this isolation level/);
    const admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      expect(await listOwnSchemas(admin, ns)).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('writes results.json with interleavings[], report.html and summary.md with --out, and runs a spec file of its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-interleave-'));
    const spec = path.join(dir, 'mine.yaml');
    fs.writeFileSync(
      spec,
      [
        'id: two-deletes',
        'title: Two deletes of one answer',
        'about: Two sessions delete the same latest answer at once.',
        'appliesTo: { strategies: [trigger-upsert] }',
        'setup: [write]',
        'sessions:',
        '  s1: [BEGIN, delete, COMMIT]',
        '  s2: [BEGIN, delete, COMMIT]',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = await cli(['interleave', '--strategies', 'trigger-upsert,count-star', '--spec', spec, '--out', out, '--json', '--namespace', `ilc_${uniqueTag()}`], servers());
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Results;
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(saved.interleavings).toEqual(printed.interleavings);
    // the spec applies to trigger-upsert only; count-star is said to have none
    expect(saved.interleavings!.map((x) => [x.strategy, x.spec, x.status])).toEqual([
      ['trigger-upsert', 'two-deletes', 'ok'],
      ['count-star', null, 'skipped'],
    ]);
    const del = saved.interleavings![0];
    // the second delete waits for the first's row lock and then finds nothing to delete; the
    // INSERT-only trigger never counted either down
    expect(del.outcomes).toEqual({ 'extra 1': del.permutations.run });
    expect(del.permutations.invalid).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('id="chart-interleaving-trigger-upsert"');
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('## Interleavings');
  });

  it('refuses bad input in one line with exit 2, before connecting to anything', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-interleave-bad-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'id: x\ntitle: X\nabout: x\nappliesTo: all\nsessions:\n  s1: [BEGIN, write, COMIT]\n');
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    // nothing listens there: a command that got as far as connecting would say so instead
    const nowhere = { DATABASE_URL: 'postgres://bench:s3cr3t@127.0.0.1:1/nowhere' };
    const cases: Array<[string[], RegExp]> = [
      [['--strategies', 'nope'], /^counterbench interleave: --strategies: unknown strategy "nope" \(expected one of: baseline, /],
      [['--spec', bad], /^counterbench interleave: .*bad\.yaml: sessions\.s1\[2\]: expected one of: BEGIN, COMMIT, .*; got "COMIT"$/],
      [['--spec', path.join(dir, 'none.yaml')], /^counterbench interleave: .*none\.yaml: spec file not found$/],
      [['--out', path.join(file, 'sub')], /^counterbench interleave: --out: cannot write to ".*file\/sub": ENOTDIR/],
      [['--namespace', 'Bad-NS'], /^counterbench interleave: --namespace: expected 1-20 of a-z, 0-9, _; got "Bad-NS"$/],
      [['--rounds', '2'], /^counterbench interleave: unknown flag --rounds \(see 'counterbench interleave --help'\)$/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(['interleave', ...args], nowhere)));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(cases[i][1]);
      expect(r.stderr).not.toContain('s3cr3t');
    });
    const unreachable = await cli(['interleave', '--strategies', 'count-star'], nowhere);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr.trim()).toMatch(/^counterbench interleave: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere \(DATABASE_URL\): /);
    expect(unreachable.stderr).not.toContain('s3cr3t');
    const help = await cli(['interleave', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: counterbench interleave /);
  });
});
