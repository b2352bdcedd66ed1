// One server-cost figure (WAL bytes, dead tuples, lock waits … per write) across strategies.
import type { Results } from '../../../harness/results/types.ts';
import { figureLabel, serverFigures } from '../../figures.ts';
import { unitOfFigure } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { bandHeight, baseSpec, chartId, strategyColor, type Chart } from './chart.ts';

export function serverCostChart(results: Results, palette: StrategyPalette, figure: string): Chart | undefined {
  const values = results.strategies.flatMap((s) => {
    const v = serverFigures(s)[figure];
    return v === undefined ? [] : [{ strategy: s.id, value: v }];
  });
  // One bar, or bars of nothing, tell the reader nothing the table does not.
  if (values.length < 2 || values.every((v) => v.value === 0)) return undefined;
  const unit = unitOfFigure(figure);
  const spec = {
    ...baseSpec(`server cost: ${figure}`),
    height: bandHeight(values.length, 20),
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'strategy', type: 'nominal', title: null, sort: palette.domain },
      x: { field: 'value', type: 'quantitative', title: unit === 'count' ? figureLabel(figure) : `${figureLabel(figure)} (${unit === 'bytes' ? 'bytes' : 'ms'})` },
      color: strategyColor(palette),
      tooltip: [{ field: 'strategy' }, { field: 'value', title: figure, format: ',.4~f' }],
    },
  };
  return { id: chartId('server', figure), title: figureLabel(figure), spec };
}
