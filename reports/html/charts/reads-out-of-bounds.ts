// The share of reads that showed a count outside what was true while the read ran: the
// staleness a user actually sees, per strategy.
import type { Results } from '../../../harness/results/types.ts';
import { readsOutOfBounds } from '../../figures.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { bandHeight, baseSpec, chartId, strategyColor, type Chart } from './chart.ts';

export function readsOutOfBoundsChart(results: Results, palette: StrategyPalette): Chart | undefined {
  const values = results.strategies.flatMap((s) => {
    const r = readsOutOfBounds(s);
    return r ? [{ strategy: s.id, sharePct: r.sharePct, checked: r.checked, below: r.below, above: r.above }] : [];
  });
  if (values.length === 0) return undefined;
  const spec = {
    ...baseSpec('share of reads out of bounds per strategy'),
    height: bandHeight(values.length, 26),
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'strategy', type: 'nominal', title: null, sort: palette.domain },
      x: { field: 'sharePct', type: 'quantitative', title: 'reads out of bounds (%)' },
      color: strategyColor(palette),
      tooltip: [{ field: 'strategy' }, { field: 'sharePct', title: '%', format: '.3~f' }, { field: 'below' }, { field: 'above' }, { field: 'checked', title: 'judged' }],
    },
  };
  return {
    id: chartId('reads-out-of-bounds'),
    title: 'Reads out of bounds',
    spec,
    caption: 'A read is out of bounds when its count lies outside what was acknowledged before it and what could have landed while it ran.',
  };
}
