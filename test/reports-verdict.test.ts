// The verdict recommends for the run's load: the cheapest strategy exact at every read and the
// cheapest exact after convergence (with its staleness), both by the cost of the run's mix of
// writes, reads and deletes; COUNT(*) recommended at a small data size says the answer changes at
// the document's 100K answers per user.
import { describe, it, expect } from 'vitest';
import { buildResults } from './reports-fixture.ts';
import { verdictOf } from '../reports/verdict.ts';
import { renderHtml } from '../reports/html/render.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import type { Results, StrategyResult } from '../harness/results/types.ts';

const byId = (r: Results, id: string): StrategyResult => r.strategies.find((s) => s.id === id)!;

/** count-star exact and judged at every read, with the read cost of a small data set. */
function countStarExact(r: Results, readP50: number): void {
  const cs = byId(r, 'count-star');
  cs.counters = ['count(*) on read'];
  cs.ops.read = { ...cs.ops.read!, latencyMs: { mean: readP50 * 1.2, p50: readP50, p95: readP50 * 2, p99: readP50 * 3, max: readP50 * 5 } };
  cs.drift = {
    consistent: true,
    convergeMs: 0,
    counters: [{ name: 'count(*) on read', scope: 'user', usersChecked: 2000, usersInconsistent: 0, consistencyPct: 100, lost: 0, extra: 0, maxAbsDrift: 0, examples: [] }],
    timeline: [],
    reads: { judged: 300, below: 0, above: 0, outOfBoundsPct: 0, maxBelowBy: 0, maxAboveBy: 0, staleMs: null },
  };
}

describe('the recommendation', () => {
  it('weighs reads by the mix: a cheaper write loses to cheaper reads when the mix reads', () => {
    // count-star writes for 0.48 ms (mean) against trigger-upsert's 0.72, but reads for 14.4 ms
    const r = buildResults((x) => countStarExact(x, 12));
    const v = verdictOf(r);
    const cs = v.exact.find((e) => e.id === 'count-star')!;
    const tu = v.exact.find((e) => e.id === 'trigger-upsert')!;
    expect(cs.cost.writeLatencyRatio ?? cs.writeP50Ms!).toBeLessThan(tu.cost.writeLatencyRatio ?? tu.writeP50Ms!);
    // 70 % writes, 25 % reads (the fixture's mix): (0.7 × 0.48 + 0.25 × 14.4) / 0.95
    expect(cs.mixCostMs).toBeCloseTo((0.7 * 0.48 + 0.25 * 14.4) / 0.95, 6);
    expect(tu.mixCostMs).toBeCloseTo((0.7 * 0.72 + 0.25 * 0.18) / 0.95, 6);
    expect(v.recommendation.atEveryRead?.id).toBe('trigger-upsert');
    // with (almost) nothing but writes, count-star's cheap write wins
    const writes = buildResults((x) => {
      countStarExact(x, 12);
      x.run.scenario.mix = { write: 99, read: 1, delete: 0 };
    });
    expect(verdictOf(writes).recommendation.atEveryRead?.id).toBe('count-star');
  });

  it('names the cheapest exact after convergence beside it, with its staleness', () => {
    const v = verdictOf(buildResults());
    // the view costs less than trigger-upsert, but 34.62 % of its reads were behind
    expect(v.recommendation.atEveryRead?.id).toBe('trigger-upsert');
    expect(v.recommendation.afterConvergence?.id).toBe('materialized-view');
    const line = v.recommendation.lines.find((l) => l.includes('materialized-view'))!;
    expect(line).toContain('once its jobs caught up');
    expect(line).toContain('1.8 s after the load ended');
    expect(line).toContain('34.62 % of its reads');
    expect(line).toContain('1.9 s earlier (p99)');
    expect(v.recommendation.lines[0]).toMatch(/^For this run's load \(70% writes, 25% reads, 5% deletes; 8 clients; 2,000 users × 50 answers\), the cheapest strategy exact at every read is trigger-upsert, at [\d.]+ ms per operation of the mix \([\d.]+× the baseline's\)\.$/);
  });

  it('says that COUNT(*) recommended at 50 answers per user changes at 100K, citing the read figure where one was measured', () => {
    const r = buildResults((x) => countStarExact(x, 0.2));
    const v = verdictOf(r);
    expect(v.recommendation.atEveryRead?.id).toBe('count-star');
    const caveat = v.recommendation.lines.find((l) => l.includes('COUNT(*)'))!;
    expect(caveat).toContain('this run had 50, so at 100,000 the answer changes');
    expect(caveat).toContain('not measured in this run');
    expect(caveat).toContain('the analysis claims 127 ms');
    expect(caveat).toContain('The next cheapest of the same kind that does not count on every read is trigger-upsert');
    const measured = verdictOf(r, [{ strategy: 'count-star', answersPerUser: 100_000, readP50Ms: 42, source: 'the read phase' }]);
    expect(measured.recommendation.lines.join(' ')).toContain('The read phase measured a median read of 42 ms at 100,000 answers per user');
    // at the document's size there is nothing to warn about
    const big = buildResults((x) => {
      countStarExact(x, 0.2);
      x.run.scenario.data.answersPerUser = 100_000;
    });
    expect(verdictOf(big).recommendation.lines.join(' ')).not.toContain('the answer changes');
  });

  it('leaves out what a fault hit or what failed operations, and says why', () => {
    const r = buildResults((x) => {
      byId(x, 'trigger-upsert').ops.write!.errors = 3;
      byId(x, 'materialized-view').faults = [{ kind: 'terminate-job-connection', injected: true, happened: true, round: 1, at: 0, tMs: 2000, detail: 'terminated', cost: {} }];
    });
    const rec = verdictOf(r).recommendation;
    expect(rec.atEveryRead).toBeUndefined();
    expect(rec.excluded.map((x) => x.id).sort()).toEqual(['materialized-view', 'trigger-upsert']);
    expect(rec.lines).toContain('Not considered: trigger-upsert, exact but 3 operation(s) failed for good.');
    // manual-update is exact but its reads were not judged: exact after convergence at best
    expect(rec.afterConvergence?.id).toBe('manual-update');
  });

  it('is on the page and in summary.md, with a legend of every strategy and its origin', () => {
    const r = buildResults();
    const html = renderHtml(r);
    const verdict = html.slice(html.indexOf('<section id="verdict"'), html.indexOf('</section>', html.indexOf('<section id="verdict"')));
    expect(verdict).toContain('Recommended for this load');
    expect(verdict).toContain('the cheapest strategy exact at every read is trigger-upsert');
    expect(verdict).toContain('<h3>Legend</h3>');
    for (const s of r.strategies) {
      expect(verdict).toContain(`<code>${s.id}</code>`);
      expect(verdict).toContain(s.origin);
    }
    const md = renderMarkdown(r);
    expect(md).toContain('- For this run');
    expect(md).toContain('materialized-view');
  });
});
