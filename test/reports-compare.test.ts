import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../harness/cli/compare.ts';
import { reportCommand } from '../harness/cli/report.ts';
import { compareResults, hasRegression, judgeInterval, renderCompareHtml, renderCompareMarkdown, renderCompareText } from '../reports/compare.ts';
import type { Results } from '../harness/results/types.ts';
import { buildResults } from './reports-fixture.ts';
import { measured } from './compare-fixture.ts';
import { captureOutput } from './support/capture-output.ts';

const capture = captureOutput;

const flagged = (c: ReturnType<typeof compareResults>): string[] => c.regressions.map((f) => `${f.strategy} ${f.figure}`);

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
  it('finds nothing between a run and itself: every tested figure "no significant change"', () => {
    const c = compareResults(measured(), measured());
    expect(c.regressions).toEqual([]);
    expect(hasRegression(c)).toBe(false);
    const tested = c.figures.filter((f) => f.basis === 'rounds');
    expect(tested.length).toBeGreaterThan(20);
    expect(tested.every((f) => f.verdict === 'no significant change' && f.changePct === 0 && f.interval!.lowPct! <= 0 && f.interval!.highPct! >= 0)).toBe(true);
  });

  it('flags a strategy three times as slow per write by its ratios to baseline, significant and beyond the threshold, with the interval', () => {
    const c = compareResults(measured(), measured({ slower: ['trigger-upsert'] }));
    expect(flagged(c)).toEqual(['trigger-upsert vsBaseline.writeLatencyRatio', 'trigger-upsert vsBaseline.writeP50Ratio', 'trigger-upsert vsBaseline.writeThroughputRatio']);
    const ratio = c.regressions[0];
    expect(ratio.changePct).toBeCloseTo(200, 6);
    expect(ratio.interval!.lowPct!).toBeGreaterThan(c.thresholdPct);
    expect(ratio.interval!.lowPct!).toBeLessThanOrEqual(200);
    expect(ratio.interval!.highPct!).toBeGreaterThanOrEqual(200);
    // absolute figures follow the machine's load: shown with their interval, judged with --absolute
    const mean = (x: ReturnType<typeof compareResults>) => x.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'ops.write.latencyMs.mean')!;
    expect(mean(c)).toMatchObject({ verdict: 'changed, not judged', regression: false });
    const absolute = compareResults(measured(), measured({ slower: ['trigger-upsert'] }), { absolute: true });
    expect(mean(absolute)).toMatchObject({ verdict: 'regression', regression: true });
    // the same change with a threshold above it: significant, but within the threshold
    const lenient = compareResults(measured(), measured({ slower: ['trigger-upsert'] }), { thresholdPct: 250 });
    expect(lenient.regressions).toEqual([]);
    expect(lenient.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'vsBaseline.writeLatencyRatio')!.verdict).toBe('within threshold');
  });

  it('improvements are not regressions', () => {
    const c = compareResults(measured({ slower: ['trigger-upsert'] }), measured());
    expect(c.regressions).toEqual([]);
    expect(c.figures.filter((f) => f.improvement).map((f) => `${f.strategy} ${f.figure}`)).toEqual(['trigger-upsert vsBaseline.writeLatencyRatio', 'trigger-upsert vsBaseline.writeP50Ratio', 'trigger-upsert vsBaseline.writeThroughputRatio']);
  });

  it('one noisy round in B (a stall to a third of the writes) is no significant change', () => {
    const b = measured({
      adjust: (r) => {
        const w = r.strategies.find((s) => s.id === 'trigger-upsert')!.rounds![2].ops.write!;
        w.throughput /= 3;
        w.latencyMs = { ...w.latencyMs, mean: w.latencyMs.mean * 3, p99: w.latencyMs.p99 * 10 };
      },
    });
    const c = compareResults(measured(), b, { absolute: true });
    expect(c.regressions).toEqual([]);
    expect(c.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'ops.write.latencyMs.p99')!.verdict).toBe('no significant change');
  });

  it('says "too few samples" with the rounds it needs instead of guessing', () => {
    // the plain fixture has two rounds of baseline only; B's trigger-upsert p99 is 50 % higher
    const b = buildResults((r) => {
      const w = r.strategies.find((s) => s.id === 'trigger-upsert')!.ops.write!;
      w.latencyMs = { ...w.latencyMs, p99: w.latencyMs.p99 * 1.5 };
    });
    const c = compareResults(buildResults(), b);
    expect(c.regressions).toEqual([]);
    expect(c.figures.find((f) => f.strategy === 'baseline' && f.figure === 'ops.write.latencyMs.p99')!.note).toBe('too few samples: needs 5 rounds (A has 2, B has 2)');
    expect(c.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'ops.write.latencyMs.p99')!.note).toBe('one value per run: shown, not tested');
    expect(c.tooFewSamples).toContain('needs 5 rounds per run (A has 2, B has 2)');
    expect(renderCompareText(c)).toContain('set rounds: 5 or more');
  });

  it('compares extensive server figures per write or per second; present in one run only is new, not a regression', () => {
    const b = measured({
      adjust: (r) => {
        const srv = r.strategies.find((s) => s.id === 'trigger-upsert')!.server as Record<string, any>;
        // twice the writes made twice the dead tuples and WAL: the same cost per write
        srv.ops.writes *= 2;
        srv.wal.bytes *= 2;
        srv.totals.updates *= 2;
        srv.spanMs *= 2;
        srv.lockWaits.lockWaitSamples *= 2;
        const m = r.strategies.find((s) => s.id === 'materialized-view')!.server as Record<string, any>;
        m.lockWaits = { lockWaitSamples: 40, lockWaitMs: 1000 };
        m.spanMs = 10_000;
      },
    });
    const c = compareResults(measured(), b);
    const fig = (strategy: string, figure: string) => c.figures.find((f) => f.strategy === strategy && f.figure === figure)!;
    expect(fig('trigger-upsert', 'server.wal.bytes')).toMatchObject({ normalized: 'per write', a: 3_840_000 / 6000, b: 3_840_000 / 6000, changePct: 0 });
    expect(fig('trigger-upsert', 'server.lockWaits.lockWaitSamples')).toMatchObject({ normalized: 'per second', changePct: 0 });
    expect(fig('materialized-view', 'server.lockWaits.lockWaitSamples')).toMatchObject({ verdict: 'new', a: null, regression: false });
    expect(c.regressions).toEqual([]);
  });

  it('divides extensive server figures by writes + deletes like the record\'s *PerWrite; a hit ratio is better higher, commits and HOT updates are neutral', () => {
    // the same cost per modifying operation, in a run with a quarter of them deletes
    const withDeletes = (r: Results) => {
      const srv = r.strategies.find((s) => s.id === 'trigger-upsert')!.server as Record<string, any>;
      srv.ops.deletes = 2000;
      srv.wal.bytes = (srv.wal.bytes / 6000) * 8000;
      srv.walBytesPerWrite = srv.wal.bytes / 8000;
    };
    const c = compareResults(measured(), measured({ adjust: withDeletes }));
    const fig = (figure: string) => c.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === figure)!;
    expect(fig('server.wal.bytes')).toMatchObject({ normalized: 'per write', a: 640, b: 640, changePct: 0 });
    const b = measured({ adjust: withDeletes }).strategies.find((s) => s.id === 'trigger-upsert')!.server as Record<string, any>;
    expect(fig('server.wal.bytes').b).toBe(b.walBytesPerWrite);
    expect(fig('server.database.hitRatio').direction).toBe('higher-is-better');
    expect(fig('server.database.xactCommit')).toMatchObject({ direction: 'neutral', verdict: 'not judged' });
    expect(fig('server.totals.hotUpdates').direction).toBe('neutral');
    expect(fig('server.database.blksRead').direction).toBe('lower-is-better');
    expect(c.figures.some((f) => f.figure === 'server.statements.changed')).toBe(false);
  });

  it('from a median of 0 a tiny significant move is within threshold; one past a share of a unit is a regression', () => {
    const deadTuples = (perRound: (i: number) => number) => (r: Results) => {
      r.strategies.find((s) => s.id === 'trigger-upsert')!.rounds!.forEach((round, i) => (round.server!.deadTuplesPerWrite = perRound(i)));
    };
    const none = measured({ adjust: deadTuples(() => 0) });
    const fig = (b: Results) => compareResults(none, b).figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'server.deadTuplesPerWrite')!;
    // one dead tuple per 10,000 writes more: significant (every round), no percentage of 0, not a regression
    const tiny = fig(measured({ adjust: deadTuples((i) => 0.0001 + i * 0.00001) }));
    expect(tiny).toMatchObject({ a: 0, changePct: null, verdict: 'within threshold', regression: false });
    expect(tiny.interval!.low).toBeGreaterThan(0);
    // half a dead tuple per write more: past 0.1 (10 % of one), a regression
    expect(fig(measured({ adjust: deadTuples((i) => 0.5 + i * 0.01) }))).toMatchObject({ verdict: 'regression', regression: true });
  });

  it('judges a significant change by its interval: the side of 0 it lies on, its bound nearest to 0 against the threshold', () => {
    const cost = { kind: 'cost-ratio', direction: 'lower-is-better' } as const;
    expect(judgeInterval({ low: 0.2, high: 0.9 }, 1, cost, 10)).toEqual({ worse: true, beyond: true });
    expect(judgeInterval({ low: 0.05, high: 0.9 }, 1, cost, 10)).toEqual({ worse: true, beyond: false });
    expect(judgeInterval({ low: -0.9, high: -0.2 }, 1, cost, 10)).toEqual({ worse: false, beyond: true });
    expect(judgeInterval({ low: -0.9, high: -0.2 }, 1, { kind: 'throughput', direction: 'higher-is-better' }, 10)).toEqual({ worse: true, beyond: true });
    expect(judgeInterval({ low: 0.05, high: 0.3 }, 0, { kind: 'server', direction: 'lower-is-better' }, 10)).toEqual({ worse: true, beyond: false });
    expect(judgeInterval({ low: 0.15, high: 0.3 }, 0, { kind: 'server', direction: 'lower-is-better' }, 10)).toEqual({ worse: true, beyond: true });
    expect(judgeInterval({ low: 0.05, high: 0.3 }, 0, { kind: 'errors', direction: 'lower-is-better' }, 10)).toEqual({ worse: true, beyond: false });
  });

  it('drift against the ledger: an exact strategy that loses increments is a regression whatever the statistics say', () => {
    const losing = measured({
      adjust: (r) => {
        const d = r.strategies.find((s) => s.id === 'trigger-upsert')!.drift!;
        d.consistent = false;
        Object.assign(d.counters[0], { usersInconsistent: 2, consistencyPct: 99.9, lost: 3 });
      },
    });
    const c = compareResults(measured(), losing);
    expect(c.regressions).toEqual([]); // no figure moved
    expect(c.drift.filter((d) => d.verdict === 'regression').map((d) => `${d.strategy} ${d.counter}`)).toEqual(['trigger-upsert user_stats.total_answers_lifetime']);
    expect(hasRegression(c)).toBe(true);
    expect(renderCompareText(c)).toMatch(/drift trigger-upsert user_stats\.total_answers_lifetime: was exact, now is not \(3 lost\)\s+REGRESSION/);
  });

  it('drift the deletes explain is not judged; extra beyond them, or a loss where there was none, is', () => {
    const withDrift = (lost: number, extra: number, deletes: number) =>
      measured({
        adjust: (r) => {
          const d = r.strategies.find((s) => s.id === 'trigger-upsert')!.drift!;
          d.consistent = false;
          d.ledger = { acknowledgedInserts: 20_000, acknowledgedDeletes: deletes, inDoubt: 0 };
          Object.assign(d.counters[0], { usersInconsistent: 400, consistencyPct: 80, lost, extra });
        },
      });
    const verdict = (a: Results, b: Results) => compareResults(a, b).drift.find((d) => d.strategy === 'trigger-upsert')!;
    // a counter that ignores deletes: as many extra as deletes, in both runs, however many
    expect(verdict(withDrift(0, 500, 500), withDrift(0, 900, 900))).toMatchObject({ verdict: 'not judged' });
    expect(verdict(withDrift(0, 500, 500), withDrift(0, 950, 900)).verdict).toBe('regression');
    expect(verdict(withDrift(0, 500, 500), withDrift(7, 500, 500)).reason).toMatch(/^loses increments \(7, 0\.350 per 1000 writes\) where A lost none$/);
    expect(verdict(withDrift(4, 0, 0), withDrift(9, 0, 0)).verdict).toBe('not judged');
  });

  it('across environments judges only the ratios to baseline, unless --same-environment; a moved baseline counts as one', () => {
    const bigger = measured({ slower: ['trigger-upsert'], adjust: (r) => (r.run.environment.cpus = 8) });
    const c = compareResults(measured(), bigger);
    expect(c.environment).toMatchObject({ judged: 'ratios to baseline', differences: [{ field: 'cpus', a: '2', b: '8' }] });
    expect(renderCompareText(c).split('\n')[0]).toBe('ENVIRONMENTS DIFFER (CPUs 2 vs 8): only the ratios to baseline and drift are judged (--same-environment judges everything)');
    expect(flagged(c)).toEqual(['trigger-upsert vsBaseline.writeLatencyRatio', 'trigger-upsert vsBaseline.writeP50Ratio', 'trigger-upsert vsBaseline.writeThroughputRatio']);
    expect(c.figures.find((f) => f.figure === 'ops.write.latencyMs.mean' && f.strategy === 'trigger-upsert')!.verdict).toBe('not compared');
    expect(flagged(compareResults(measured(), bigger, { sameEnvironment: true, absolute: true }))).toContain('trigger-upsert ops.write.latencyMs.mean');
    // every strategy, baseline too, twice as slow: the machine, not the code
    const loaded = measured({ slower: ['baseline', 'manual-update', 'trigger-upsert', 'production-trigger', 'materialized-view', 'count-star'] });
    const m = compareResults(measured(), loaded, { absolute: true });
    expect(m.environment.differences.map((d) => d.field)).toEqual(['baseline']);
    expect(m.regressions).toEqual([]);
  });

  it('a moved baseline stops judging only absolute latency and throughput: dead tuples per write and error rates stay judged', () => {
    const ALL = ['baseline', 'manual-update', 'trigger-upsert', 'production-trigger', 'materialized-view', 'count-star'];
    // the machine three times as slow for everyone, and trigger-upsert's code now makes twice the
    // dead tuples per write and fails one write in fifty
    const costlier = (r: Results) => {
      for (const round of r.strategies.find((s) => s.id === 'trigger-upsert')!.rounds!) {
        round.server!.deadTuplesPerWrite! *= 2;
        round.ops.write!.errors = Math.round(round.ops.write!.count / 49);
      }
    };
    const c = compareResults(measured(), measured({ slower: ALL, adjust: costlier }), { absolute: true });
    expect(c.environment).toMatchObject({ judged: 'all but absolute latency and throughput', differences: [{ field: 'baseline' }] });
    expect(flagged(c)).toEqual(['trigger-upsert ops.write.errorRatePct', 'trigger-upsert server.deadTuplesPerWrite']);
    const mean = c.figures.find((f) => f.strategy === 'manual-update' && f.figure === 'ops.write.latencyMs.mean')!;
    expect(mean).toMatchObject({ verdict: 'changed, not judged', regression: false });
    expect(mean.note).toMatch(/^baseline itself moved/);
    expect(renderCompareText(c).split('\n')[0]).toMatch(/^BASELINE MOVED \(baseline itself moved, .*\): absolute latency and throughput are not judged; the ratios to baseline, dead tuples per write, error rates and drift still are/);
    // another machine keeps its rule: only the ratios to baseline (and drift)
    const elsewhere = compareResults(measured(), measured({ adjust: (r) => (costlier(r), (r.run.environment.cpus = 8)) }));
    expect(elsewhere.environment.judged).toBe('ratios to baseline');
    expect(elsewhere.regressions).toEqual([]);
    expect(elsewhere.figures.find((f) => f.strategy === 'trigger-upsert' && f.figure === 'server.deadTuplesPerWrite')!.verdict).toBe('not compared');
  });

  it('renders text, Markdown (significant changes only) and HTML with the regression and its interval', () => {
    const c = compareResults(measured(), measured({ slower: ['trigger-upsert'] }));
    const text = renderCompareText(c);
    const line = text.split('\n').find((l) => l.startsWith('trigger-upsert') && l.includes('vsBaseline.writeLatencyRatio'))!;
    expect(line).toMatch(/\+200 %\s+\[\+\d.*%\]\s+REGRESSION$/);
    expect(text).toMatch(/\d+ regressions \(significant, beyond 10 %, or drift\)\n$/);
    const md = renderCompareMarkdown(c);
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBe(c.figures.filter((f) => ['regression', 'improvement', 'within threshold'].includes(f.verdict)).length);
    expect(rows.every((r) => r.startsWith('| `trigger-upsert`'))).toBe(true);
    expect(md).toContain('**regression**');
    const html = renderCompareHtml(c);
    expect(html).toContain('<span class="badge bad">regression</span>');
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">(.*?)<\/script>/s.exec(html)![1]);
    expect(specs.length).toBe(rows.length);
    expect(specs[0].spec.layer[0].mark.type).toBe('boxplot');
    expect(specs[0].spec.data.values.filter((v: { run: string }) => v.run === 'B')).toHaveLength(6);
  });
});

describe('compareCommand', () => {
  it('exits 1 on a regression made by hand and writes compare.html beside B; --markdown prints the table', async () => {
    const { dir, fileA, fileB } = await writeRuns(measured(), measured({ slower: ['trigger-upsert'] }));
    const o = capture();
    expect(await compareCommand([fileA, fileB, '--threshold', '10'], o)).toBe(1);
    expect(o.stdout).toContain('REGRESSION');
    await access(path.join(dir, 'compare.html'));
    const m = capture();
    expect(await compareCommand([fileA, fileB, '--markdown'], m)).toBe(1);
    expect(m.stdout).toMatch(/^### counterbench compare: \d+ regressions/);
    expect(m.stdout).toContain('| `trigger-upsert` | `vsBaseline.writeLatencyRatio` |');
    // above the change, the same files pass
    expect(await compareCommand([fileA, fileB, '--threshold', '250'], capture())).toBe(0);
  });

  it('exits 0 when nothing got worse, and prints JSON with --json', async () => {
    const { dir, fileA, fileB } = await writeRuns(measured(), measured());
    const out = path.join(dir, 'elsewhere');
    const o = capture();
    expect(await compareCommand([fileA, fileB, '--json', '--out', out], o)).toBe(0);
    const parsed = JSON.parse(o.stdout);
    expect(parsed.regressions).toEqual([]);
    expect(parsed.thresholdPct).toBe(10);
    expect(parsed).toMatchObject({ decided: true, verdict: 'no significant regression beyond 10 %' });
    expect(parsed.tested).toBeGreaterThan(20);
    await access(path.join(out, 'compare.html'));
  });

  it('a gate that tested nothing does not pass: runs without rounds (verify, import k6) or with too few exit 2, unless --allow-untested', async () => {
    const noRounds = (adjust?: (r: Results) => void) =>
      buildResults((r) => {
        for (const s of r.strategies) delete s.rounds;
        r.run.scenario.rounds = 1;
        adjust?.(r);
      });
    // B's trigger-upsert p99 is 50 % higher: shown, but one value per run is not a test
    const worse = noRounds((r) => {
      const w = r.strategies.find((s) => s.id === 'trigger-upsert')!.ops.write!;
      w.latencyMs = { ...w.latencyMs, p99: w.latencyMs.p99 * 1.5 };
    });
    const { fileA, fileB } = await writeRuns(noRounds((r) => r.strategies.forEach((s) => delete s.drift)), worse);
    const c = compareResults(noRounds(), worse);
    expect(c.tested).toBe(0);
    expect(c.untested).toMatch(/^the runs have no rounds \(results of verify or import k6/);
    const j = capture();
    expect(await compareCommand([fileA, fileB, '--json'], j)).toBe(2);
    const parsed = JSON.parse(j.stdout);
    expect(parsed).toMatchObject({ decided: false, regression: false, tested: 0 });
    expect(parsed.verdict).toMatch(/^nothing tested: the runs have no rounds \(/);
    expect(j.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^counterbench compare: nothing tested: .* \(--allow-untested exits 0\)$/)]);
    const t = capture();
    expect(await compareCommand([fileA, fileB], t)).toBe(2);
    expect(t.stdout.trimEnd().split('\n').at(-1)).toMatch(/^nothing tested: the runs have no rounds/);
    expect(t.stdout).not.toContain('no significant regression');
    expect(await compareCommand([fileA, fileB, '--allow-untested'], capture())).toBe(0);
    // the report fixture's two rounds (without drift): too few, which tests nothing either
    const noDrift = (r: Results) => r.strategies.forEach((s) => delete s.drift);
    const few = await writeRuns(buildResults(noDrift), buildResults(noDrift));
    const m = capture();
    expect(await compareCommand([few.fileA, few.fileB, '--markdown'], m)).toBe(2);
    expect(m.stdout).toMatch(/^### counterbench compare: nothing tested: too few rounds: the test needs 5 per run \(A has 2, B has 2\)\n/);
    // drift judged in both (exact in both, verify's results) decides: figures untested, said so, exit 0
    const drift = compareResults(noRounds(), noRounds());
    expect(drift.tested).toBe(0);
    expect(renderCompareText(drift).trimEnd().split('\n').at(-1)).toMatch(/^no drift regression; no figure tested: the runs have no rounds/);
    const d = await writeRuns(noRounds(), noRounds());
    expect(await compareCommand([d.fileA, d.fileB], capture())).toBe(0);
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
    for (const argv of [[fileA], [fileA, fileB, '--threshold', 'lots'], [fileA, fileB, '--bogus'], [fileA, fileB, '--json', '--markdown']]) {
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
