// How far one strategy's counters were from the truth while the load ran and while its jobs
// drained, with the jobs' events (view refreshes, syncs, checkpoints, autovacuum) on the same axis.
import type { StrategyResult } from '../../../harness/results/types.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { baseSpec, chartId, type Chart } from './chart.ts';
import { eventLayers } from './event-marks.ts';

export function driftTimelineChart(s: StrategyResult, palette: StrategyPalette): Chart | undefined {
  const timeline = s.drift?.timeline ?? [];
  if (timeline.length === 0) return undefined;
  const values = timeline.flatMap((p) =>
    Object.entries(p.drift).map(([counter, drift]) => ({ counter, t: p.tMs / 1000, drift, phase: p.phase })),
  );
  if (values.length === 0) return undefined;
  const events = eventLayers(s);
  const drainTimes = timeline.filter((p) => p.phase === 'drain').map((p) => p.tMs / 1000);
  const layers: Record<string, unknown>[] = [];
  if (drainTimes.length > 0) {
    layers.push({
      data: { values: [{ from: Math.min(...drainTimes), to: Math.max(...drainTimes), label: 'drain' }] },
      mark: { type: 'rect', color: '#f1f1f1' },
      encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
    });
  }
  layers.push({
    data: { values: [{ zero: 0 }] },
    mark: { type: 'rule', color: '#999', strokeDash: [2, 2] },
    encoding: { y: { field: 'zero', type: 'quantitative' } },
  });
  layers.push(...events);
  layers.push({
    data: { values },
    mark: { type: 'line', strokeWidth: 2, point: { size: 14, color: palette.colorOf(s.id) }, color: palette.colorOf(s.id) },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds (grey: drain after the load)' },
      y: { field: 'drift', type: 'quantitative', title: 'counter − truth (increments)' },
      strokeDash: { field: 'counter', type: 'nominal', title: 'counter', legend: { orient: 'bottom', labelLimit: 320 } },
      tooltip: [{ field: 'counter' }, { field: 't', title: 'at (s)', format: '.2f' }, { field: 'drift' }, { field: 'phase' }],
    },
  });
  const spec = {
    ...baseSpec(`drift timeline of ${s.id}`),
    height: 200,
    layer: layers,
  };
  return {
    id: chartId('drift', s.id),
    title: `${s.id}: drift over time`,
    spec,
    caption:
      'Sum over all keys of counter minus the true count: below zero the counters lag (lost or not yet applied), above zero they over-count.' +
      (events.length > 0 ? ' Vertical lines mark job and server events, pale bands their duration.' : ''),
  };
}
