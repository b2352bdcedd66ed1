// Each strategy's write cost as a multiple of the bare INSERT: a ratio holds on a noisy machine
// where absolute times do not. 1× is the baseline.
import type { Results } from '../../../harness/results/types.ts';
import { costVsBaseline } from '../../figures.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { bandHeight, baseSpec, chartId, strategyColor, type Chart } from './chart.ts';

const LATENCY = 'mean write latency';
const THROUGHPUT = 'write throughput';

export function costVsBaselineChart(results: Results, palette: StrategyPalette): Chart | undefined {
  const values: Array<{ strategy: string; measure: string; ratio: number }> = [];
  for (const s of results.strategies) {
    if (s.status !== 'ok') continue;
    const c = costVsBaseline(results, s);
    if (c.writeLatencyRatio !== undefined) values.push({ strategy: s.id, measure: LATENCY, ratio: c.writeLatencyRatio });
    if (c.writeThroughputRatio !== undefined) values.push({ strategy: s.id, measure: THROUGHPUT, ratio: c.writeThroughputRatio });
  }
  if (values.length === 0) return undefined;
  const spec = {
    ...baseSpec('write cost against the baseline'),
    height: bandHeight(new Set(values.map((v) => v.strategy)).size, 30),
    layer: [
      {
        data: { values },
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'strategy', type: 'nominal', title: null, sort: palette.domain },
          yOffset: { field: 'measure', type: 'nominal', sort: [LATENCY, THROUGHPUT] },
          x: { field: 'ratio', type: 'quantitative', title: 'multiple of the baseline (×)' },
          color: strategyColor(palette),
          opacity: {
            field: 'measure',
            type: 'ordinal',
            title: null,
            sort: [LATENCY, THROUGHPUT],
            scale: { domain: [LATENCY, THROUGHPUT], range: [1, 0.4] },
            legend: { orient: 'bottom' },
          },
          tooltip: [{ field: 'strategy' }, { field: 'measure' }, { field: 'ratio', title: '×', format: '.3~f' }],
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule', color: '#333', strokeDash: [4, 3] },
        encoding: { x: { field: 'one', type: 'quantitative' } },
      },
    ],
  };
  return {
    id: chartId('cost-vs-baseline'),
    title: 'Write cost against the baseline',
    spec,
    caption: 'Solid: mean write latency as a multiple of the bare INSERT (higher costs more). Pale: write throughput as a multiple (lower costs more). Dashed line: 1×.',
  };
}
