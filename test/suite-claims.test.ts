// Claims in results.json: a suite decides each from its phase, marks a failed phase's claims
// "not measured: phase failed: …", says how many rows the REFRESH claim needs when its phase was
// too small; the reports read claims[] (and decide them for an older file without it); compare
// flags a claim whose verdict changed.
import { describe, expect, it } from 'vitest';
import { buildResults } from './reports-fixture.ts';
import { decideSuiteClaims } from '../harness/suite/claims.ts';
import { claimsOf, checkClaims } from '../reports/claims.ts';
import { compareResults, renderCompareText } from '../reports/compare.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import type { RefreshScaling, Results, SuitePhaseResult } from '../harness/results/types.ts';

function suiteOf(phases: SuitePhaseResult[]): Results {
  const base = buildResults();
  return { ...base, suite: { name: 's', description: '', main: phases[0]?.name ?? null, estimateMs: 0, phases } };
}

const phase = (name: string, decides: string[], more: Partial<SuitePhaseResult> = {}): SuitePhaseResult => ({ name, kind: 'load', title: name, decides, status: 'ok', estimateMs: 1000, ...more });

function refresh(points: Array<[rows: number, ms: number]>, blocked = true): RefreshScaling {
  const slope = (points.at(-1)![1] - points[0][1]) / ((points.at(-1)![0] - points[0][0]) / 1e6);
  return {
    strategy: 'materialized-view',
    concurrently: false,
    points: points.map(([rows, ms]) => ({ rows, users: 100, refreshMs: [ms], medianMs: ms })),
    fit: { interceptMs: points[0][1] - (slope * points[0][0]) / 1e6, msPerMillionRows: slope, r2: 1 },
    reaches: { ms: 10_000, rows: Math.ceil(((10_000 - (points[0][1] - (slope * points[0][0]) / 1e6)) / slope) * 1e6) },
    readers: { reads: 100, slowestMs: blocked ? points.at(-1)![1] : 1, longestRefreshMs: points.at(-1)![1], refreshes: 5, blocked },
  };
}

describe('claims of a suite', () => {
  it('each from the phase that decides it, the phase named in its evidence; a failed phase marks only its own', () => {
    const base = buildResults();
    const r = suiteOf([
      phase('ok-phase', ['trigger-consistency'], { strategies: base.strategies, scenario: base.run.scenario }),
      phase('broken', ['manual-consistency'], { status: 'failed', reason: 'deploy failed: disk full' }),
    ]);
    const byId = Object.fromEntries(decideSuiteClaims(r).map((c) => [c.id, c]));
    expect(byId['manual-consistency']).toMatchObject({ status: 'not measured', reason: 'phase failed: deploy failed: disk full', phase: 'broken' });
    expect(byId['trigger-consistency'].phase).toBe('ok-phase');
    expect(byId['trigger-consistency'].status).not.toBe('not measured');
    expect(byId['trigger-consistency'].evidence).toContain('[phase ok-phase]');
    expect(byId['count-star-127ms']).toMatchObject({ status: 'not measured', reason: 'no phase of this suite decides it', phase: null });
  });

  it('REFRESH: blocked readers and growth decide partly with the projected rows; too small a REFRESH says the rows it needs', () => {
    const at = (r: RefreshScaling) => decideSuiteClaims(suiteOf([phase('refresh', ['mv-refresh-blocks'], { kind: 'refresh', strategies: [{ ...buildResults().strategies.find((s) => s.id === 'materialized-view')!, status: 'ok', faults: [] }], refresh: r })])).find((c) => c.id === 'mv-refresh-blocks')!;
    const big = at(refresh([[1e6, 500], [2e6, 1000], [4e6, 2000]]));
    expect(big.status).toBe('partly');
    expect(big.reason).toBe('10 s only from about 20,000,000 rows (projected)');
    const small = at(refresh([[20_000, 7], [80_000, 19]]));
    expect(small.status).toBe('not measured');
    expect(small.reason).toMatch(/^needs [\d,]+ rows \(a REFRESH of 1 s or more\)$/);
    expect(at(refresh([[1e6, 5000], [2e6, 11000]])).status).toBe('confirmed');
    expect(at(refresh([[1e6, 500], [2e6, 1000]], false)).status).toBe('refuted');
  });
});

describe('claims in results.json', () => {
  it('the reports read claims[], and decide them for an older file without it', () => {
    const old = buildResults();
    delete old.claims;
    expect(claimsOf(old)).toEqual(checkClaims(old));
    const stored = { ...old, claims: checkClaims(old).map((c) => (c.id === 'trigger-scale' ? { ...c, status: 'partly' as const, evidence: 'STORED EVIDENCE', reason: 'stored' } : c)) };
    expect(renderMarkdown(stored)).toContain('STORED EVIDENCE');
    expect(renderMarkdown(stored)).toContain('◐ partly');
  });

  it('compare flags a claim whose verdict changed', () => {
    const a = buildResults();
    a.claims = checkClaims(a);
    const b = structuredClone(a);
    const i = b.claims!.findIndex((c) => c.id === 'trigger-consistency');
    const before = a.claims[i].status;
    b.claims![i] = { ...b.claims![i], status: before === 'refuted' ? 'confirmed' : 'refuted' };
    const c = compareResults(a, b);
    expect(c.claimChanges).toEqual([{ id: 'trigger-consistency', a: before, b: b.claims![i].status, phaseA: a.claims[i].phase, phaseB: b.claims![i].phase }]);
    expect(renderCompareText(c)).toContain(`claim trigger-consistency: ${before} -> ${b.claims![i].status}  VERDICT CHANGED`);
    expect(compareResults(a, structuredClone(a)).claimChanges).toEqual([]);
  });
});
