// Failed operations per strategy, split by kind (SQLSTATE class, connection, timeout …).
import type { Results } from '../../../harness/results/types.ts';
import { errorsByKind } from '../../figures.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { bandHeight, baseSpec, chartId, type Chart } from './chart.ts';

export function errorsByKindChart(results: Results, palette: StrategyPalette): Chart | undefined {
  const values = results.strategies.flatMap((s) =>
    Object.entries(errorsByKind(s)).map(([kind, count]) => ({ strategy: s.id, kind, count })),
  );
  if (values.length === 0) return undefined;
  const spec = {
    ...baseSpec('errors by kind per strategy'),
    height: bandHeight(new Set(values.map((v) => v.strategy)).size, 22),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'strategy', type: 'nominal', title: null, sort: palette.domain },
      x: { field: 'count', type: 'quantitative', title: 'failed operations', stack: 'zero' },
      color: { field: 'kind', type: 'nominal', title: 'kind', scale: { scheme: 'tableau10' }, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'strategy' }, { field: 'kind' }, { field: 'count' }],
    },
  };
  return { id: chartId('errors'), title: 'Failed operations by kind', spec, caption: 'Operations that failed for good, after retries.' };
}
