// Completed operations per second through each strategy's measured phase, from the per-second
// series: a stall or a slow start shows as a dip that the run's average hides.
import type { OpName, Results } from '../../../harness/results/types.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { baseSpec, chartId, secondMiddle, strategyColor, type Chart } from './chart.ts';

export function throughputChart(results: Results, palette: StrategyPalette, op: OpName): Chart | undefined {
  const values: Array<{ strategy: string; t: number; second: number; opsPerSecond: number; errors: number; p99: number | null }> = [];
  for (const s of results.strategies) {
    for (const p of s.series ?? []) {
      // a second in which nothing completed is a point at 0: the line drops to it, as the server did
      if (p.op === op) values.push({ strategy: s.id, t: secondMiddle(p.t), second: p.t, opsPerSecond: p.count, errors: p.errors, p99: p.p99 });
    }
  }
  if (values.length === 0) return undefined;
  const spec = {
    ...baseSpec(`${op} throughput over time`),
    height: 220,
    data: { values },
    // straight segments between whole seconds: a smoothed curve would invent values in between
    mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8, interpolate: 'linear' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds into the measured phase', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'opsPerSecond', type: 'quantitative', title: `${op}s per second` },
      color: {
        ...strategyColor(palette),
        // only the strategies that ran, two to a row so that none is cut off in a narrow column
        legend: { orient: 'bottom', title: null, columns: 2, labelLimit: 180, values: [...new Set(values.map((v) => v.strategy))] },
      },
      tooltip: [
        { field: 'strategy' },
        { field: 'second' },
        { field: 'opsPerSecond', title: 'ops/s' },
        { field: 'errors' },
        { field: 'p99', title: 'p99 (ms)', format: '.3~f' },
      ],
    },
  };
  return {
    id: chartId('throughput', op),
    title: `${op[0].toUpperCase()}${op.slice(1)} throughput over time`,
    spec,
    caption:
      'Each strategy is measured in its own phase; the x axis is time since that phase began, each point one second drawn at its middle. A second in which nothing completed is a point at 0.',
  };
}
