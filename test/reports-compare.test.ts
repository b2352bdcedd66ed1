import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../harness/cli/compare.ts';
import { reportCommand } from '../harness/cli/report.ts';
import type { Output } from '../harness/cli/output.ts';
import { compareResults, hasRegression, renderCompareHtml, renderCompareText } from '../reports/compare.ts';
import type { Results } from '../harness/results/types.ts';
import { buildResults } from './reports-fixture.ts';

function capture(): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    tty: false,
    out(t: string) {
      o.stdout += t + '\n';
    },
    err(t: string) {
      o.stderr += t + '\n';
    },
  };
  return o;
}

/** B is A with trigger-upsert's write p99 raised by half: a regression made by hand. */
function slowerTrigger(): Results {
  return buildResults((r) => {
    const w = r.strategies.find((s) => s.id === 'trigger-upsert')!.ops.write!;
    w.latencyMs = { ...w.latencyMs, p99: w.latencyMs.p99 * 1.5 };
  });
}

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

async function writeRuns(a: Results, b: Results): Promise<{ dir: string; fileA: string; fileB: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cb-compare-'));
  tempDirs.push(dir);
  const fileA = path.join(dir, 'a.json');
  const fileB = path.join(dir, 'b.json');
  await writeFile(fileA, JSON.stringify(a));
  await writeFile(fileB, JSON.stringify(b));
  return { dir, fileA, fileB };
}

describe('compareResults', () => {
  it('finds nothing between a run and itself', () => {
    const c = compareResults(buildResults(), buildResults(), { thresholdPct: 10 });
    expect(c.regressions).toEqual([]);
    expect(hasRegression(c)).toBe(false);
    expect(c.figures.length).toBeGreaterThan(50);
    expect(c.figures.every((f) => f.changePct === 0)).toBe(true);
  });

  it('flags a write p99 raised by 50 %', () => {
    const c = compareResults(buildResults(), slowerTrigger(), { thresholdPct: 10 });
    expect(c.regressions.map((f) => `${f.strategy} ${f.figure}`)).toEqual(['trigger-upsert ops.write.latencyMs.p99']);
    const f = c.regressions[0];
    expect(f.changePct).toBeCloseTo(50, 6);
    expect(f.a).toBe(2.4);
    expect(f.b).toBeCloseTo(3.6, 9);
    // beyond a threshold of 60 % it is no longer a regression
    expect(compareResults(buildResults(), slowerTrigger(), { thresholdPct: 60 }).regressions).toEqual([]);
  });

  it('flags throughput down, consistency down, server cost up and a strategy that stopped running', () => {
    const b = buildResults((r) => {
      r.strategies.find((s) => s.id === 'baseline')!.ops.write!.throughput = 400;
      const t = r.strategies.find((s) => s.id === 'trigger-upsert')!;
      t.drift!.counters[0].consistencyPct = 99.5;
      t.drift!.consistent = false;
      (t.server as Record<string, number>).walBytesPerWrite = 1000;
      const m = r.strategies.find((s) => s.id === 'materialized-view')!;
      m.status = 'failed';
      m.reason = 'deploy failed';
    });
    const c = compareResults(buildResults(), b, { thresholdPct: 10 });
    const flagged = c.regressions.map((f) => `${f.strategy} ${f.figure}`);
    expect(flagged).toContain('baseline ops.write.throughput');
    expect(flagged).toContain('trigger-upsert drift.consistencyPct');
    expect(flagged).toContain('trigger-upsert server.walBytesPerWrite');
    expect(c.statusChanges).toEqual([{ strategy: 'materialized-view', a: 'ok', b: 'failed', regression: true }]);
  });

  it('improvements are not regressions', () => {
    const faster = buildResults((r) => {
      const w = r.strategies.find((s) => s.id === 'trigger-upsert')!.ops.write!;
      w.latencyMs = { ...w.latencyMs, p99: 1 };
    });
    const c = compareResults(buildResults(), faster, { thresholdPct: 10 });
    expect(c.regressions).toEqual([]);
    expect(c.figures.filter((f) => f.improvement).map((f) => f.figure)).toEqual(['ops.write.latencyMs.p99']);
  });

  it('renders text and HTML with the regression marked', () => {
    const c = compareResults(buildResults(), slowerTrigger(), { thresholdPct: 10 });
    const text = renderCompareText(c);
    const line = text.split('\n').find((l) => l.includes('ops.write.latencyMs.p99') && l.startsWith('trigger-upsert'))!;
    expect(line).toContain('2.4 ms');
    expect(line).toContain('3.6 ms');
    expect(line).toContain('+50 %');
    expect(line).toContain('REGRESSION');
    expect(text).toContain('1 regression beyond 10 %');
    const html = renderCompareHtml(c);
    expect(html).toContain('1 regression beyond 10 %.');
    expect(html).toContain('<span class="badge bad">regression</span>');
  });
});

describe('compareCommand', () => {
  it('exits 1 on a regression made by hand and writes compare.html beside B', async () => {
    const { dir, fileA, fileB } = await writeRuns(buildResults(), slowerTrigger());
    const o = capture();
    expect(await compareCommand([fileA, fileB, '--threshold', '10'], o)).toBe(1);
    expect(o.stdout).toContain('REGRESSION');
    await access(path.join(dir, 'compare.html'));
  });

  it('exits 0 when nothing got worse, and prints JSON with --json', async () => {
    const { dir, fileA, fileB } = await writeRuns(buildResults(), buildResults());
    const out = path.join(dir, 'elsewhere');
    const o = capture();
    expect(await compareCommand([fileA, fileB, '--json', '--out', out], o)).toBe(0);
    const parsed = JSON.parse(o.stdout);
    expect(parsed.regressions).toEqual([]);
    expect(parsed.thresholdPct).toBe(10);
    await access(path.join(out, 'compare.html'));
  });

  it('exits 2 with one message naming the file that is missing, not JSON or not results', async () => {
    const { dir, fileA } = await writeRuns(buildResults(), buildResults());
    const missing = path.join(dir, 'missing.json');
    const notJson = path.join(dir, 'not.json');
    const foreign = path.join(dir, 'foreign.json');
    await writeFile(notJson, '{ nope');
    await writeFile(foreign, JSON.stringify({ strategies: [] }));
    for (const [file, words] of [
      [missing, 'no such file'],
      [notJson, 'not valid JSON'],
      [foreign, 'schemaVersion'],
    ] as const) {
      const o = capture();
      expect(await compareCommand([fileA, file], o)).toBe(2);
      expect(o.stderr).toContain(file);
      expect(o.stderr).toContain(words);
      expect(o.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 2 on bad usage', async () => {
    const { fileA, fileB } = await writeRuns(buildResults(), buildResults());
    for (const argv of [[fileA], [fileA, fileB, '--threshold', 'lots'], [fileA, fileB, '--bogus']]) {
      const o = capture();
      expect(await compareCommand(argv, o)).toBe(2);
      expect(o.stderr).toMatch(/^counterbench compare: /);
    }
  });
});

describe('reportCommand', () => {
  it('renders report.html, summary.md and results.csv into --out', async () => {
    const { dir, fileA } = await writeRuns(buildResults(), buildResults());
    const out = path.join(dir, 'out');
    const o = capture();
    expect(await reportCommand([fileA, '--out', out], o)).toBe(0);
    for (const name of ['report.html', 'summary.md', 'results.csv']) {
      expect(o.stdout).toContain(path.join(out, name));
      expect((await readFile(path.join(out, name), 'utf8')).length).toBeGreaterThan(100);
    }
  });

  it('exits 2 for a file without strategies', async () => {
    const { dir } = await writeRuns(buildResults(), buildResults());
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ schemaVersion: 1, run: {} }));
    const o = capture();
    expect(await reportCommand([bad], o)).toBe(2);
    expect(o.stderr).toContain(bad);
    expect(o.stderr).toContain('"strategies"');
  });
});
