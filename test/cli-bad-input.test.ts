// Bad input through the real command line: one line naming what is wrong, exit 2, nothing
// deployed or written. And a health check that could check nothing does not pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';
import { buildResults } from './reports-fixture.ts';
import type { Results } from '../harness/results/types.ts';
import type { CheckReport } from '../harness/health/check.ts';

const BIN = path.resolve('bin/counterbench.mjs');
/** Nothing listens there: a command that got as far as connecting would fail on it instead. */
const NOWHERE = 'postgres://bench:s3cr3t-pw@127.0.0.1:1/nowhere';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.trim().split('\n').filter(Boolean) };
}

/** The same, without blocking: for the cases that check one message each, run side by side. */
function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ReturnType<typeof cli>> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr, lines: stderr.trim().split('\n').filter(Boolean) }));
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-cli-'));
const q = (s: string) => pg.escapeIdentifier(s);

let admin: pg.Client;
const dirs: string[] = [];
const schemas: string[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
});

afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`);
  await admin.end();
  for (const d of dirs) {
    spawnSync('chattr', ['-R', '-i', d]);
    fs.chmodSync(d, 0o755);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function newDir(): string {
  const d = tmp();
  dirs.push(d);
  return d;
}

async function ownSchemas(ns: string): Promise<string[]> {
  const r = await admin.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`counterbench_${ns}_%`]);
  return r.rows.map((x) => x.nspname);
}

describe.concurrent('numeric flags', () => {
  const cases: Array<[string[], string, string]> = [
    [['run'], '--clients', 'an integer >= 1'],
    [['run'], '--users', 'an integer >= 1'],
    [['run'], '--rate', 'a number of operations per second > 0'],
    [['run'], '--duration', 'a duration > 0'],
    [['calibrate'], '--clients', 'an integer >= 1'],
    [['calibrate'], '--duration', 'whole seconds >= 1'],
    [['micro'], '--time', 'a positive duration'],
    [['compare', 'a.json', 'b.json'], '--threshold', 'a percentage >= 0'],
    [['check'], '--examples', 'an integer >= 0'],
    [['repair', '--dry-run'], '--limit', 'an integer >= 0'],
    [['repair'], '--lock-timeout-ms', 'an integer >= 0'],
  ];
  it.each(cases)('%s %s: a negative or non-number value is one line naming flag and value, exit 2, before connecting', async (cmd, flag, expected) => {
    const values = ['-3', 'many'];
    const runs = await Promise.all(values.map((value) => cliAsync([...cmd, flag, value, ...(cmd[0] === 'check' || cmd[0] === 'repair' ? ['--database-url', NOWHERE] : [])], { DATABASE_URL: NOWHERE })));
    for (const [i, value] of values.entries()) {
      const r = runs[i];
      expect(r.code, r.stderr).toBe(2);
      expect(r.lines).toEqual([expect.stringContaining(`counterbench ${cmd[0]}: ${flag}: expected ${expected}`)]);
      expect(r.lines[0]).toContain(`got "${value}"`);
      expect(r.stderr).not.toMatch(/ambiguous|nowhere/);
      expect(r.stdout).toBe('');
    }
  });

  it('the defect as reported: run --clients -3', () => {
    const r = cli(['run', '--clients', '-3'], { DATABASE_URL: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('counterbench run: --clients: expected an integer >= 1, got "-3"\n');
  });
});

describe.concurrent('flags every command refuses or answers', () => {
  const commands: string[][] = [['run'], ['list'], ['report', 'r.json'], ['compare', 'a.json', 'b.json'], ['check'], ['repair'], ['stats'], ['calibrate'], ['micro'], ['clean'], ['capacity'], ['interleave']];

  it.each(commands)('%s refuses an unknown flag, naming it, exit 2; --help and -h print its usage, exit 0', async (...cmd) => {
    const [bogus, help, h] = await Promise.all([
      cliAsync([...cmd, '--bogus'], { DATABASE_URL: NOWHERE }),
      cliAsync([cmd[0], '--help'], { DATABASE_URL: NOWHERE }),
      cliAsync([cmd[0], '-h'], { DATABASE_URL: NOWHERE }),
    ]);
    expect(bogus.code, bogus.stderr).toBe(2);
    expect(bogus.lines).toEqual([`counterbench ${cmd[0]}: unknown flag --bogus (see 'counterbench ${cmd[0]} --help')`]);
    expect(bogus.stdout).toBe('');
    for (const r of [help, h]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: counterbench ${cmd[0]}\\b`));
      expect(r.stderr).toBe('');
    }
    expect(h.stdout).toBe(help.stdout);
  });

  it('list --bogus is refused; list with a stray argument too', () => {
    const r = cli(['list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bogus');
    const stray = cli(['list', 'strategies']);
    expect(stray.code).toBe(2);
    expect(stray.lines).toEqual([`counterbench list: unexpected argument "strategies" (see 'counterbench list --help')`]);
    expect(cli(['list', '--json']).code).toBe(0);
  });

  it('a string flag whose value is missing, or is the next flag, is named; a switch given a value too', async () => {
    const cases = [
      [['run', '--out'], 'counterbench run: --out: expected a value'],
      [['run', '--out', '--json'], 'counterbench run: --out: expected a value, got the flag --json'],
      [['run', '--scenario='], 'counterbench run: --scenario: expected a value'],
      [['run', '--json=yes'], 'counterbench run: --json takes no value, got "yes"'],
      [['run', '--out', 'a', '--out', 'b'], 'counterbench run: --out given twice'],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => cliAsync([...args], { DATABASE_URL: NOWHERE })));
    for (const [i, [args, line]] of cases.entries()) {
      expect(runs[i].code, args.join(' ')).toBe(2);
      expect(runs[i].lines).toEqual([line]);
    }
  });
});

/** A directory nothing may be written into, even by root (immutable), holding `files`; undefined
 *  where this file system cannot make one. */
function unwritableDir(files: Record<string, string> = {}): string | undefined {
  const d = path.join(newDir(), 'locked');
  fs.mkdirSync(d);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, name), text);
  if (process.getuid?.() === 0) spawnSync('chattr', ['+i', d]);
  else fs.chmodSync(d, 0o555);
  try {
    fs.writeFileSync(path.join(d, 'probe'), 'x');
    fs.rmSync(path.join(d, 'probe'));
    return undefined;
  } catch {
    return d;
  }
}

describe('--out that cannot be written', () => {
  it('run: under a regular file, one line naming --out, the path and ENOTDIR, before anything is deployed', async () => {
    const dir = newDir();
    fs.writeFileSync(path.join(dir, 'file'), 'not a directory');
    const out = path.join(dir, 'file', 'run1');
    const ns = `cli${uniqueTag()}`.slice(0, 20);
    const r = cli(['run', '--scenario', 'smoke', '--namespace', ns, '--out', out], { DATABASE_URL: testDatabaseUrl() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toContain(`--out: cannot write to "${out}"`);
    expect(r.lines[0]).toContain('ENOTDIR');
    expect(r.lines[0]).toContain(`${path.join(dir, 'file')} is a file`);
    expect(await ownSchemas(ns)).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  it('run: the --out check comes before connecting: with no server at all, the error is still --out', () => {
    const dir = newDir();
    const file = path.join(dir, 'results');
    fs.writeFileSync(file, '');
    const r = cli(['run', '--scenario', 'smoke', '--out', file], { DATABASE_URL: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`counterbench run: --out: cannot write to "${file}": ENOTDIR, it is a file, not a directory`]);
  });

  it('run: a directory that refuses writes, named with the reason; nothing left inside', async (ctx) => {
    const locked = unwritableDir();
    if (!locked) return ctx.skip(); // this file system lets root write anywhere
    const ns = `cli${uniqueTag()}`.slice(0, 20);
    const out = path.join(locked, 'run1');
    const r = cli(['run', '--scenario', 'smoke', '--namespace', ns, '--out', out], { DATABASE_URL: testDatabaseUrl() });
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`--out: cannot write to "${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": (EACCES|EPERM|EROFS), `));
    expect(await ownSchemas(ns)).toEqual([]);
    expect(fs.readdirSync(locked)).toEqual([]);
  });

  it('run: a new --out is removed again when the run cannot start', () => {
    const dir = newDir();
    const out = path.join(dir, 'a', 'b');
    const r = cli(['run', '--scenario', 'smoke', '--out', out], { DATABASE_URL: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('127.0.0.1:1/nowhere');
    expect(r.stderr).not.toContain('s3cr3t-pw');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('report and compare: --out under a regular file is one line, exit 2, nothing written', () => {
    const dir = newDir();
    const results = path.join(dir, 'results.json');
    fs.writeFileSync(results, JSON.stringify(buildResults()));
    fs.writeFileSync(path.join(dir, 'file'), '');
    const out = path.join(dir, 'file', 'reports');
    const before = fs.readdirSync(dir).sort();
    for (const args of [['report', results, '--out', out], ['compare', results, results, '--out', out]]) {
      const r = cli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.lines).toEqual([`counterbench ${args[0]}: --out: cannot write to "${out}": ENOTDIR, ${path.join(dir, 'file')} is a file, not a directory`]);
      expect(r.stdout).toBe('');
    }
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('report and compare: a default directory that refuses writes is named as the default', (ctx) => {
    const locked = unwritableDir({ 'results.json': JSON.stringify(buildResults()) });
    if (!locked) return ctx.skip();
    const inLocked = path.join(locked, 'results.json');
    const report = cli(['report', inLocked]);
    expect(report.code).toBe(2);
    expect(report.lines).toEqual([expect.stringMatching(/^counterbench report: the directory of RESULTS\.json \(the default --out\): cannot write to .*: (EACCES|EPERM|EROFS), /)]);
    const compare = cli(['compare', inLocked, inLocked]);
    expect(compare.code).toBe(2);
    expect(compare.lines).toEqual([expect.stringMatching(/^counterbench compare: the directory of B \(the default --out\): cannot write to /)]);
    expect(fs.readdirSync(locked)).toEqual(['results.json']);
  });
});

describe('a report that fails after the run', () => {
  it('is one line; results.json, the other reports and the run exit code are kept', async () => {
    const out = newDir();
    // report.html cannot be a file where a directory of that name stands, though --out is writable
    fs.mkdirSync(path.join(out, 'report.html'));
    const ns = `cli${uniqueTag()}`.slice(0, 20);
    const r = cli(['run', '--scenario', 'smoke', '--strategies', 'baseline', '--users', '50', '--duration', '1', '--namespace', ns, '--out', out], {
      DATABASE_URL: testDatabaseUrl(),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^counterbench run: .*report\.html not written \(EISDIR, .*\); results are kept in .*results\.json$/);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(results.strategies.map((s) => [s.id, s.status])).toEqual([['baseline', 'ok']]);
    for (const f of ['summary.md', 'results.csv']) {
      expect(fs.statSync(path.join(out, f)).size).toBeGreaterThan(0);
      expect(r.stdout).toContain(`report:  ${path.join(out, f)}`);
    }
    expect(r.stdout).not.toContain(`report:  ${path.join(out, 'report.html')}`);
    expect(await ownSchemas(ns)).toEqual([]);
  });
});

describe('a health check that could check nothing does not pass', () => {
  const url = () => testDatabaseUrl();

  /** The truth tables with two answers for user 1 (session 11) and one for user 2 (session 21);
   *  `counters` picks which counter tables and columns exist, filled consistently. */
  async function schemaWith(counters: { sessions?: boolean; userStats?: boolean; profile?: boolean }): Promise<string> {
    const s = `counterbench_cli${uniqueTag()}`;
    schemas.push(s);
    await admin.query(`CREATE SCHEMA ${q(s)}`);
    await admin.query(`CREATE TABLE ${q(s)}.users (id int PRIMARY KEY)`);
    await admin.query(`CREATE TABLE ${q(s)}.onboarding_sessions (id int PRIMARY KEY, user_id int NOT NULL${counters.sessions ? ', questions_answered int NOT NULL DEFAULT 0' : ''})`);
    await admin.query(`CREATE TABLE ${q(s)}.user_answers_new (id bigserial PRIMARY KEY, session_id int NOT NULL)`);
    await admin.query(`INSERT INTO ${q(s)}.users VALUES (1), (2)`);
    await admin.query(`INSERT INTO ${q(s)}.onboarding_sessions (id, user_id) VALUES (11, 1), (21, 2)`);
    await admin.query(`INSERT INTO ${q(s)}.user_answers_new (session_id) VALUES (11), (11), (21)`);
    if (counters.sessions) await admin.query(`UPDATE ${q(s)}.onboarding_sessions SET questions_answered = CASE id WHEN 11 THEN 2 ELSE 1 END`);
    if (counters.userStats) {
      await admin.query(`CREATE TABLE ${q(s)}.user_stats (user_id int PRIMARY KEY, total_answers_lifetime int NOT NULL DEFAULT 0)`);
      await admin.query(`INSERT INTO ${q(s)}.user_stats VALUES (1, 2), (2, 1)`);
    }
    if (counters.profile) {
      await admin.query(`CREATE TABLE ${q(s)}.digital_personality (user_id int PRIMARY KEY, total_answers_analyzed int NOT NULL DEFAULT 0)`);
      await admin.query(`INSERT INTO ${q(s)}.digital_personality VALUES (1, 2), (2, 1)`);
    }
    return s;
  }

  const NONE = [
    'user_stats.total_answers_lifetime (table user_stats not present)',
    'digital_personality.total_answers_analyzed (table digital_personality not present)',
    'onboarding_sessions.questions_answered (onboarding_sessions has no column questions_answered)',
  ].join(', ');

  it('check, repair and repair --dry-run: none of the counters is exit 2 and one line naming each and why', async () => {
    const s = await schemaWith({});
    for (const cmd of [['check'], ['check', '--json'], ['repair', '--dry-run'], ['repair']]) {
      const r = cli([...cmd, '--schema', s], { DATABASE_URL: url() });
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.lines).toEqual([`counterbench ${cmd[0]}: schema "${s}" has none of the counters to check: ${NONE}; nothing was ${cmd[0] === 'repair' && cmd.length === 1 ? 'changed' : 'checked'}`]);
      expect(r.stdout).toBe('');
    }
    // repair created nothing
    const t = await admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`, [s]);
    expect(t.rows[0].n).toBe(3);
  });

  it('stats says which counters are missing, and still exits 0: it describes, it does not judge', async () => {
    const s = await schemaWith({});
    const r = cli(['stats', '--schema', s], { DATABASE_URL: url() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('user_stats.total_answers_lifetime: MISSING (table user_stats not present)');
    expect(r.stdout).toContain('onboarding_sessions.questions_answered: MISSING (onboarding_sessions has no column questions_answered)');
    expect(r.stdout).toContain('none of the counters is in this schema');
    expect(r.stdout).not.toContain('only the application can');
  });

  it('check with some counters: checks those, lists the others, never says "All counters are consistent", exit 2', async () => {
    const s = await schemaWith({ userStats: true });
    const r = cli(['check', '--schema', s], { DATABASE_URL: url() });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/user_stats\.total_answers_lifetime \(per user\)\n\s+Total users:\s+2/);
    expect(r.stdout).toContain('Consistent, of the counters checked: user_stats.total_answers_lifetime.');
    expect(r.stdout).toContain('NOT CHECKED: digital_personality.total_answers_analyzed (table digital_personality not present), onboarding_sessions.questions_answered (onboarding_sessions has no column questions_answered).');
    expect(r.stdout).not.toContain('All counters are consistent');
    expect(r.lines).toEqual([
      'counterbench check: not checked: digital_personality.total_answers_analyzed (table digital_personality not present), onboarding_sessions.questions_answered (onboarding_sessions has no column questions_answered); pass --counters to leave them out on purpose',
    ]);

    const j = cli(['check', '--schema', s, '--json'], { DATABASE_URL: url() });
    expect(j.code).toBe(2);
    const report = JSON.parse(j.stdout) as CheckReport;
    expect(report).toMatchObject({ consistent: true, complete: false, notRequested: [] });
    expect(report.counters.map((k) => [k.name, k.present])).toEqual([
      ['user_stats.total_answers_lifetime', true],
      ['digital_personality.total_answers_analyzed', false],
      ['onboarding_sessions.questions_answered', false],
    ]);

    // leaving the missing ones out on purpose makes it a pass of what was asked, and says so
    const asked = cli(['check', '--schema', s, '--counters', 'user_stats'], { DATABASE_URL: url() });
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toBe('');
    expect(asked.stdout).toContain('Not checked, as --counters asked: digital_personality.total_answers_analyzed, onboarding_sessions.questions_answered.');
    expect(asked.stdout).not.toContain('All counters are consistent');

    // drift in a counter that was checked is exit 1, whatever else was skipped
    await admin.query(`UPDATE ${q(s)}.user_stats SET total_answers_lifetime = 7 WHERE user_id = 1`);
    const drift = cli(['check', '--schema', s], { DATABASE_URL: url() });
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('Counters drift: user_stats.total_answers_lifetime (1).');
    expect(drift.stdout).toContain('NOT CHECKED:');
  });

  it('repair with some counters: repairs those, says which it did not, exit 2; with --counters exit 0', async () => {
    const s = await schemaWith({ userStats: true, sessions: true });
    await admin.query(`UPDATE ${q(s)}.user_stats SET total_answers_lifetime = 9`);
    const dry = cli(['repair', '--dry-run', '--schema', s], { DATABASE_URL: url() });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('NOT CHECKED: digital_personality.total_answers_analyzed (table digital_personality not present).');

    const r = cli(['repair', '--schema', s], { DATABASE_URL: url() });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('user_stats.total_answers_lifetime: fixed 2 (2 updated)');
    expect(r.stdout).toContain('NOT REPAIRED: digital_personality.total_answers_analyzed (table digital_personality not present).');
    expect(r.lines).toEqual([
      'counterbench repair: not repaired: digital_personality.total_answers_analyzed (table digital_personality not present); pass --counters to leave them out on purpose',
    ]);
    const fixed = await admin.query(`SELECT user_id, total_answers_lifetime AS n FROM ${q(s)}.user_stats ORDER BY user_id`);
    expect(fixed.rows).toEqual([{ user_id: 1, n: 2 }, { user_id: 2, n: 1 }]);
    // nothing left to change in what it could see, but not everything could be seen
    const dryAfter = cli(['repair', '--dry-run', '--schema', s], { DATABASE_URL: url() });
    expect(dryAfter.code).toBe(2);
    expect(dryAfter.lines).toEqual([expect.stringMatching(/^counterbench repair: not checked: digital_personality\.total_answers_analyzed \(table digital_personality not present\)/)]);

    const asked = cli(['repair', '--schema', s, '--counters', 'user_stats,onboarding_sessions.questions_answered'], { DATABASE_URL: url() });
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('Not repaired, as --counters asked: digital_personality.total_answers_analyzed.');
    const dryAsked = cli(['repair', '--dry-run', '--schema', s, '--counters', 'user_stats,onboarding_sessions'], { DATABASE_URL: url() });
    expect(dryAsked.code).toBe(0);
    expect(dryAsked.stdout).toContain('Nothing to repair.');
  });

  it('--counters names an unknown counter: exit 2 before connecting', () => {
    const r = cli(['check', '--counters', 'user_stats,answers'], { DATABASE_URL: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([expect.stringContaining('counterbench check: --counters: unknown counter "answers" (expected one of: user_stats.total_answers_lifetime,')]);
  });
});
