// results.csv of a capacity search: the knees table, one row per strategy, data size and SLO
// line, for spreadsheets and notebooks (every step is in results.json).
import type { Results } from '../harness/results/types.ts';
import { kneeRows } from './capacity.ts';
import { csvCell } from './csv.ts';

export const CAPACITY_CSV_COLUMNS = [
  'strategy',
  'users',
  'slo_p99_ms',
  'knee_ops_s',
  'lower_bound',
  'failed_at_ops_s',
  'limit',
  'headroom_x',
  'steps',
  'harness_limited_steps',
  'search',
  'detail',
] as const;

export function renderCapacityCsv(results: Results): string {
  const lines: string[] = [CAPACITY_CSV_COLUMNS.join(',')];
  for (const r of kneeRows(results.capacity!)) {
    lines.push(
      [
        r.strategy,
        r.users,
        r.knee.sloP99Ms,
        r.knee.rate,
        r.knee.lowerBound,
        r.knee.failedAt,
        r.knee.limit,
        r.knee.headroom,
        r.steps,
        r.harnessLimitedSteps,
        r.status,
        r.knee.detail,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
