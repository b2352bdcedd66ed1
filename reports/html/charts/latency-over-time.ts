// Per-second p50 and p99 of one strategy's operations through its measured phase, with its job and
// server events on the same axis: a stall, a checkpoint or a REFRESH shows as a spike at its time,
// which the run's percentiles spread over the whole phase hide.
import type { OpName, Results, StrategyResult } from '../../../harness/results/types.ts';
import { OP_NAMES } from '../../figures.ts';
import { loadModelNote } from '../../load-model.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { baseSpec, chartId, secondMiddle, type Chart } from './chart.ts';
import { eventLayers } from './event-marks.ts';

/** log axis floor: a 0 cannot sit on a log scale */
const FLOOR_MS = 0.001;
const PERCENTILES = ['p99', 'p50'] as const;

export interface LatencyPoint {
  op: OpName;
  percentile: (typeof PERCENTILES)[number];
  /** whole second of the series, and where it is drawn (its middle) */
  second: number;
  t: number;
  /** null in a second in which none of the operation completed: the line breaks there */
  ms: number | null;
  count: number;
}

/** One point per second, operation and percentile, from the strategy's per-second series. */
export function latencyOverTime(s: StrategyResult): LatencyPoint[] {
  const out: LatencyPoint[] = [];
  for (const p of s.series ?? []) {
    for (const percentile of PERCENTILES) {
      const v = p[percentile];
      // results written before empty seconds were null carry a 0 there: no latency either
      const ms = p.count > 0 && typeof v === 'number' ? Math.max(v, FLOOR_MS) : null;
      out.push({ op: p.op, percentile, second: p.t, t: secondMiddle(p.t), ms, count: p.count });
    }
  }
  return out;
}

/** Seconds in which no operation of any kind succeeded (a stall, or a closed model's clients all
 *  waiting), as [from, to) spans on the time axis. */
export function idleSeconds(s: StrategyResult): Array<{ from: number; to: number }> {
  const done = new Map<number, number>();
  for (const p of s.series ?? []) done.set(p.t, (done.get(p.t) ?? 0) + p.count);
  return [...done].filter(([, n]) => n === 0).map(([t]) => ({ from: t, to: t + 1 }));
}

/** writes in the strategy's own color, reads near black, deletes light grey: apart from every
 *  strategy color, baseline's mid grey included */
const OTHER_OP_COLOR: Partial<Record<OpName, string>> = { read: '#222222', delete: '#b5b5b5' };

export function latencyOverTimeChart(results: Results, s: StrategyResult, palette: StrategyPalette): Chart | undefined {
  const values = latencyOverTime(s);
  if (!values.some((v) => v.ms !== null)) return undefined;
  const ops = OP_NAMES.filter((op) => values.some((v) => v.op === op));
  const model = loadModelNote(results);
  const idle = idleSeconds(s);
  const events = eventLayers(s);
  const background: Record<string, unknown>[] = [];
  if (idle.length) {
    background.push({
      data: { values: idle },
      mark: { type: 'rect', color: '#e4e4e4' },
      encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
    });
  }
  const x = { field: 't', type: 'quantitative', title: 'seconds (grey: nothing completed)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' };
  const color = {
    field: 'op',
    type: 'nominal',
    title: 'operation',
    scale: { domain: ops, range: ops.map((op) => OTHER_OP_COLOR[op] ?? palette.colorOf(s.id)) },
    legend: { orient: 'bottom' },
  };
  const tooltip = [
    { field: 'op', title: 'operation' },
    { field: 'percentile' },
    { field: 'second' },
    { field: 'ms', title: 'ms', format: '.3~f' },
    { field: 'count', title: 'completed' },
  ];
  // a second without a completion breaks the line: no latency is drawn where none was measured
  const invalid = 'break-paths-filter-domains';
  const lines = {
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.8, interpolate: 'linear', invalid },
        encoding: {
          x,
          y,
          color,
          strokeDash: {
            field: 'percentile',
            type: 'nominal',
            title: 'percentile',
            scale: { domain: [...PERCENTILES], range: [[1, 0], [4, 3]] },
            legend: { orient: 'bottom', symbolType: 'stroke' },
          },
          tooltip,
        },
      },
      // a point on each second, so that a second between two gaps still shows
      { data: { values }, mark: { type: 'point', filled: true, size: 16, invalid }, encoding: { x, y, color, tooltip } },
    ],
  };
  const behind = [...background, ...events];
  const spec = {
    ...baseSpec(`latency over time of ${s.id}`),
    height: 200,
    ...(behind.length
      ? {
          // the events' colors are by kind, the lines' by operation: two color scales
          layer: [{ layer: behind }, lines],
          resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
        }
      : lines),
  };
  const stall =
    model.kind === 'closed'
      ? ' In the closed model a stall shows mostly as grey seconds: only the operations already sent when it began wait through it.'
      : model.kind === 'open'
        ? ' In the open model operations queued behind a stall complete after it with the time they waited: a stall shows as a spike where its backlog drains.'
        : '';
  return {
    id: chartId('latency-over-time', s.id),
    title: `${s.id}: latency over time`,
    spec,
    caption:
      `p99 (solid) and p50 (dashed) of each second, filed under ${model.seriesSecond} and drawn at its middle; a second in which nothing of an operation completed breaks its line.` +
      stall +
      (events.length > 0 ? ' Vertical lines mark job and server events, pale bands their duration.' : ''),
  };
}
