// The capacity search's two charts, one pair per data size: write p99 against the offered rate
// (the hockey stick), with the analysis's zone lines drawn, and the achieved rate against the
// offered one. Every measured step is a point; steps the harness may have failed are drawn as
// crosses, so a knee resting on them can be seen for the lower bound it is.
import type { CapacityResult, CapacityStep } from '../../../harness/results/types.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { baseSpec, chartId, strategyColor, type Chart } from './chart.ts';

/** The analysis's zones, always drawn; further SLO lines of the search are drawn dashed. */
const ZONES: Array<{ ms: number; label: string; color: string }> = [
  { ms: 50, label: 'yellow zone: p99 50 ms', color: '#d99a00' },
  { ms: 100, label: 'red zone: p99 100 ms', color: '#c62828' },
];
// log scales cannot show 0 (a step whose every write failed)
const FLOOR = 0.01;
const MEASURED = 'step';
const HARNESS = 'harness-limited step';

interface Point {
  strategy: string;
  offered: number;
  achieved: number;
  p99: number;
  p50: number;
  step: number;
  verdict: string;
  mark: string;
}

function points(c: CapacityResult, users: number): Point[] {
  return c.searches
    .filter((s) => s.users === users)
    .flatMap((s) =>
      s.steps.map((st: CapacityStep) => ({
        strategy: s.strategy,
        offered: st.offeredRate,
        achieved: Math.max(FLOOR, st.achievedRate),
        p99: Math.max(FLOOR, st.latencyMs.p99),
        p50: st.latencyMs.p50,
        step: st.index,
        verdict: c.settings.sloP99Ms.map((l) => `p99 ${l} ms ${st.passed[String(l)] ? 'pass' : 'fail'}`).join(', '),
        mark: st.harnessLimited ? HARNESS : MEASURED,
      })),
    );
}

/** The line runs through the rate's better step when a failure was retested: that is the one
 *  the search went by. */
function bestPerRate(ps: Point[]): Point[] {
  const best = new Map<string, Point>();
  for (const p of ps) {
    const k = `${p.strategy}|${p.offered}`;
    const seen = best.get(k);
    if (!seen || p.p99 < seen.p99) best.set(k, p);
  }
  return [...best.values()];
}

const shape = {
  field: 'mark',
  type: 'nominal',
  title: null,
  scale: { domain: [MEASURED, HARNESS], range: ['circle', 'cross'] },
  legend: { orient: 'bottom', labelLimit: 240 },
};

function tooltip() {
  return [
    { field: 'strategy' },
    { field: 'step' },
    { field: 'offered', title: 'offered ops/s', format: ',.4~r' },
    { field: 'achieved', title: 'achieved ops/s', format: ',.4~r' },
    { field: 'p50', title: 'write p50 (ms)', format: '.3~f' },
    { field: 'p99', title: 'write p99 (ms)', format: '.3~f' },
    { field: 'verdict' },
    { field: 'mark', title: 'point' },
  ];
}

function strategiesLegend(palette: StrategyPalette, ps: Point[]) {
  return { ...strategyColor(palette), legend: { orient: 'bottom', title: null, columns: 2, labelLimit: 180, values: [...new Set(ps.map((p) => p.strategy))] } };
}

export function capacityLatencyChart(c: CapacityResult, palette: StrategyPalette, users: number): Chart | undefined {
  const ps = points(c, users);
  if (!ps.length) return undefined;
  const extra = c.settings.sloP99Ms.filter((ms) => !ZONES.some((z) => z.ms === ms)).map((ms) => ({ ms, label: `SLO line: p99 ${ms} ms`, color: '#5d6675' }));
  const x = { field: 'offered', type: 'quantitative', scale: { type: 'log' }, title: 'offered rate (arrivals per second, log scale)' };
  const y = { field: 'p99', type: 'quantitative', scale: { type: 'log' }, title: 'write p99 from the intended start (ms, log scale)' };
  const spec = {
    ...baseSpec(`write p99 against the offered rate at ${users} users`),
    height: 260,
    layer: [
      {
        data: { values: [...ZONES, ...extra] },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          y: { field: 'ms', type: 'quantitative' },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
          strokeDash: { condition: { test: `indexof([${ZONES.map((z) => z.ms).join(',')}], datum.ms) >= 0`, value: [1, 0] }, value: [5, 4] },
        },
      },
      {
        data: { values: [...ZONES, ...extra] },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 10 },
        encoding: {
          y: { field: 'ms', type: 'quantitative' },
          x: { value: 0 },
          text: { field: 'label' },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
        },
      },
      {
        data: { values: bestPerRate(ps) },
        mark: { type: 'line', strokeWidth: 1.8, interpolate: 'linear' },
        encoding: { x, y, color: strategiesLegend(palette, ps), order: { field: 'offered', type: 'quantitative' } },
      },
      {
        data: { values: ps },
        mark: { type: 'point', filled: false, size: 60, strokeWidth: 1.6 },
        encoding: { x, y, color: strategyColor(palette), shape, tooltip: tooltip() },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return {
    id: chartId('capacity', 'latency', String(users)),
    title: `Write p99 against offered load, ${users.toLocaleString('en-US')} users`,
    spec,
    caption:
      'The hockey stick: flat while the server keeps up, then steep where the queue starts to grow. A knee is the highest rate under a line. Crosses are steps the harness itself may have failed.',
  };
}

export function capacityThroughputChart(c: CapacityResult, palette: StrategyPalette, users: number): Chart | undefined {
  const ps = points(c, users);
  if (!ps.length) return undefined;
  const lo = Math.min(...ps.map((p) => Math.min(p.offered, p.achieved)));
  const hi = Math.max(...ps.map((p) => Math.max(p.offered, p.achieved)));
  const x = { field: 'offered', type: 'quantitative', scale: { type: 'log' }, title: 'offered rate (arrivals per second, log scale)' };
  const y = { field: 'achieved', type: 'quantitative', scale: { type: 'log' }, title: 'achieved rate (ops per second, log scale)' };
  const spec = {
    ...baseSpec(`achieved against offered rate at ${users} users`),
    height: 260,
    layer: [
      {
        data: { values: bestPerRate(ps) },
        mark: { type: 'line', strokeWidth: 1.8, interpolate: 'linear' },
        encoding: { x, y, color: strategiesLegend(palette, ps), order: { field: 'offered', type: 'quantitative' } },
      },
      {
        data: { values: ps },
        mark: { type: 'point', filled: false, size: 60, strokeWidth: 1.6 },
        encoding: { x, y, color: strategyColor(palette), shape, tooltip: tooltip() },
      },
      // on top, so that it shows where the strategies' lines run along it
      {
        data: { values: [{ offered: lo, achieved: lo }, { offered: hi, achieved: hi }] },
        mark: { type: 'line', color: '#1d2330', strokeDash: [6, 4], strokeWidth: 1.2, opacity: 0.7 },
        encoding: { x, y },
      },
    ],
  };
  return {
    id: chartId('capacity', 'throughput', String(users)),
    title: `Achieved against offered rate, ${users.toLocaleString('en-US')} users`,
    spec,
    caption: 'On the dashed diagonal the server completed everything offered; below it, it fell behind (more than 5% fails a step).',
  };
}
