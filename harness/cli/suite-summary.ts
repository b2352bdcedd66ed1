// The terminal's close of a suite: each phase with its estimate and its real time, then every
// claim with its verdict and the phase that decided it.
import type { Results } from '../results/types.ts';
import { fmtDuration } from '../suite/plan.ts';
import { renderTable } from './summary.ts';

export function renderSuiteSummary(results: Results): string {
  const suite = results.suite;
  if (!suite) return '';
  const phases = renderTable(
    [
      ['phase', 'kind', 'status', 'estimate', 'took', 'reason'],
      ...suite.phases.map((p) => [p.name, p.kind, p.status, fmtDuration(p.estimateMs), p.durationMs === undefined ? '-' : fmtDuration(p.durationMs), p.reason ?? '']),
    ],
    3,
  );
  const claims = renderTable([['claim', 'verdict', 'phase'], ...(results.claims ?? []).map((c) => [c.id, c.status + (c.status === 'not measured' && c.reason ? `: ${c.reason}` : ''), c.phase ?? '-'])], 3);
  const total = suite.phases.reduce((a, p) => a + (p.durationMs ?? 0), 0);
  return `\nsuite ${suite.name}: ${fmtDuration(total)} (estimated ${fmtDuration(suite.estimateMs)})\n${phases}\n\nclaims:\n${claims}`;
}
