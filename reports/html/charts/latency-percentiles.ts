// Latency percentiles of one operation, every strategy on one log axis: the rule spans p50 to
// max, the marks sit on p50, p95, p99 and p99.9, so tails compare at a glance.
import type { OpName, Results } from '../../../harness/results/types.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { bandHeight, baseSpec, chartId, strategyColor, type Chart } from './chart.ts';

const FLOOR_MS = 0.001;

export function latencyPercentilesChart(results: Results, palette: StrategyPalette, op: OpName): Chart | undefined {
  const points: Array<{ strategy: string; percentile: string; ms: number }> = [];
  const spans: Array<{ strategy: string; from: number; to: number }> = [];
  for (const s of results.strategies) {
    const r = s.ops?.[op];
    if (!r || r.count === 0) continue;
    const l = r.latencyMs;
    const pcts: Array<[string, number | undefined]> = [['p50', l.p50], ['p95', l.p95], ['p99', l.p99], ['p99.9', l.p999]];
    for (const [percentile, v] of pcts) {
      if (v !== undefined && Number.isFinite(v)) points.push({ strategy: s.id, percentile, ms: Math.max(v, FLOOR_MS) });
    }
    spans.push({ strategy: s.id, from: Math.max(l.p50, FLOOR_MS), to: Math.max(l.max, FLOOR_MS) });
  }
  if (points.length === 0) return undefined;
  const y = { field: 'strategy', type: 'nominal', title: null, sort: palette.domain };
  const spec = {
    ...baseSpec(`${op} latency percentiles per strategy`),
    height: bandHeight(spans.length, 26),
    layer: [
      {
        data: { values: spans },
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.45 },
        encoding: {
          y,
          x: { field: 'from', type: 'quantitative', scale: { type: 'log' }, title: `${op} latency (ms, log scale)` },
          x2: { field: 'to' },
          color: strategyColor(palette),
          tooltip: [{ field: 'strategy' }, { field: 'from', title: 'p50 (ms)' }, { field: 'to', title: 'max (ms)' }],
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y,
          x: { field: 'ms', type: 'quantitative', scale: { type: 'log' } },
          color: strategyColor(palette),
          shape: {
            field: 'percentile',
            type: 'nominal',
            title: 'percentile',
            scale: { domain: ['p50', 'p95', 'p99', 'p99.9'], range: ['circle', 'square', 'triangle-up', 'diamond'] },
            legend: { orient: 'bottom' },
          },
          tooltip: [{ field: 'strategy' }, { field: 'percentile' }, { field: 'ms', title: 'ms', format: '.3~f' }],
        },
      },
    ],
  };
  return {
    id: chartId('latency', op),
    title: `${op[0].toUpperCase()}${op.slice(1)} latency`,
    spec,
    caption: 'Marks at p50, p95, p99 and p99.9; the line runs on to the slowest operation. Log scale: each grid step is ten times slower.',
  };
}
