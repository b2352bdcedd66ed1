// Suite files: the built-in matrix suites validate and decide every claim of the analysis; a
// suite with a mistake in any phase is one message naming the file, the phase and the field, and
// exit 2 before anything is deployed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import YAML from 'yaml';
import { loadSuiteIfSuite, parseSuite } from '../harness/suite/suite-file.ts';
import { estimatePhaseMs } from '../harness/suite/plan.ts';
import { ANALYSIS_CLAIMS } from '../reports/analysis.ts';
import { UsageError } from '../harness/errors.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

const BIN = path.resolve('bin/counterbench.mjs');
const CLAIM_IDS = ANALYSIS_CLAIMS.map((c) => c.id);

function usage(data: unknown): string {
  try {
    parseSuite(data, 'my-suite.yaml', 'my-suite');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

const GOOD = {
  kind: 'suite',
  name: 'mine',
  phases: [
    { name: 'one', decides: ['trigger-write-latency'], scenario: { strategies: ['trigger-upsert'], data: { users: 10 } } },
    { name: 'races', kind: 'interleave', strategies: ['manual-update'], specs: ['two-inserts'] },
  ],
};

describe('built-in suites', () => {
  for (const name of ['matrix', 'matrix-ci']) {
    it(`${name} validates and decides every claim of the analysis, each in a phase with an estimate`, () => {
      const s = loadSuiteIfSuite(name)!;
      expect(s.name).toBe(name);
      const decided = new Set(s.phases.flatMap((p) => p.decides));
      expect([...decided].sort()).toEqual([...CLAIM_IDS].sort());
      expect(s.phases.map((p) => p.kind)).toEqual(expect.arrayContaining(['double-increment', 'slow-inserts', 'bypass', 'batch', 'interleave', 'refresh']));
      for (const p of s.phases) expect(estimatePhaseMs(p), p.name).toBeGreaterThan(0);
    });
  }

  it('matrix is planned within 15 minutes; a plain scenario is not a suite', () => {
    const s = loadSuiteIfSuite('matrix')!;
    expect(s.phases.reduce((a, p) => a + estimatePhaseMs(p), 0)).toBeLessThan(15 * 60_000);
    expect(loadSuiteIfSuite('smoke')).toBeUndefined();
  });

  it('the README lists every claim id with the phase of matrix that decides it', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const s = loadSuiteIfSuite('matrix')!;
    for (const id of CLAIM_IDS) {
      const phase = s.phases.find((p) => p.decides.includes(id))!;
      expect(readme, id).toMatch(new RegExp(`\\| \`${id}\` \\|[^\\n]*\`${phase.name}\``));
    }
  });
});

describe('a suite with a mistake', () => {
  it('names the phase and the field', () => {
    const bad = structuredClone(GOOD) as any;
    bad.phases[0].scenario.strategies = ['trigger-upsert', 'nope'];
    expect(usage(bad)).toMatch(/^my-suite\.yaml: phases\[0\]\.scenario: strategies\[1\]: unknown strategy "nope" \(expected one of: baseline,/);
    const key = structuredClone(GOOD) as any;
    key.phases[1].clients = 3;
    expect(usage(key)).toBe('my-suite.yaml: phases[1].clients: unknown key (expected one of: name, kind, title, decides, strategies, specs)');
    const claim = structuredClone(GOOD) as any;
    claim.phases[0].decides = ['trigger-write-latencyy'];
    expect(usage(claim)).toMatch(/^my-suite\.yaml: phases\[0\]\.decides\[0\]: unknown claim "trigger-write-latencyy"/);
    const spec = structuredClone(GOOD) as any;
    spec.phases[1].specs = ['three-inserts'];
    expect(usage(spec)).toMatch(/^my-suite\.yaml: phases\[1\]\.specs\[0\]: unknown spec "three-inserts"/);
    const il = structuredClone(GOOD) as any;
    il.phases[1].strategies = ['manual-updat'];
    expect(usage(il)).toMatch(/^my-suite\.yaml: phases\[1\]\.strategies\[0\]: unknown strategy "manual-updat"/);
    expect(usage({ ...GOOD, phases: [GOOD.phases[0], GOOD.phases[0]] })).toBe('my-suite.yaml: phases[1].name: phase "one" is named twice');
    expect(usage({ ...GOOD, main: 'races' })).toMatch(/^my-suite\.yaml: main: expected the name of a phase with a scenario \(one\), got "races"/);
    expect(usage({ ...GOOD, phases: [{ name: 'p', kind: 'double-increment', scenario: { mix: { write: 9, delete: 1 } } }] })).toMatch(
      /phases\[0\]\.scenario\.mix\.delete: expected 0: Migration 007's trigger counts no delete/,
    );
    expect(usage({ ...GOOD, phases: [{ name: 'p', kind: 'batch', batch: { sizes: [100, 10] } }] })).toMatch(/phases\[0\]\.batch\.sizes\[1\]: expected ascending sizes/);
  });

  it('through the command line: one line on stderr and exit 2, nothing deployed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-suite-bad-'));
    const ns = uniqueTag();
    try {
      const bad = structuredClone(GOOD) as any;
      bad.phases[1] = { name: 'two', scenario: { strategies: ['trigger-upsert'], data: { users: 10, answersPerUser: 'many' } } };
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, YAML.stringify(bad));
      const env = { ...process.env, DATABASE_URL: testDatabaseUrl() };
      const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', file, '--namespace', ns, '--out', path.join(dir, 'out')], { env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([`counterbench run: ${file}: phases[1].scenario: data.answersPerUser: expected an integer >= 0, got "many"`]);
      const flag = spawnSync(process.execPath, [BIN, 'run', '--scenario', 'matrix-ci', '--clients', '3', '--namespace', ns], { env, encoding: 'utf8', timeout: 60_000 });
      expect(flag.status).toBe(2);
      expect(flag.stderr.trim()).toBe(`counterbench run: --clients: not taken with a suite (matrix-ci sets each phase's load and strategies in its file)`);
      const c = new pg.Client(testDatabaseUrl());
      await c.connect();
      const left = await c.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`counterbench\\_${ns}\\_%`]);
      await c.end();
      expect(left.rows).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
