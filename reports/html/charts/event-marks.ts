// A strategy's job and server events (MV refresh, Redis sync, checkpoint, autovacuum …) as marks
// on a chart whose x axis is seconds since the strategy's measured phase began: a line where each
// began and a pale band over its duration, so a spike beside it can be read against it.
import type { StrategyResult } from '../../../harness/results/types.ts';
import { strategyEvents } from '../../figures.ts';

// not grey: grey bands mean a drain or a second without completions on these charts
const EVENT_COLORS = ['#2f6f6f', '#b8860b', '#8b3a8b', '#6b8e23', '#444444'];

/** The layers for the strategy's placed events; none when it has none. Their color scale is
 *  by event kind: a chart that colors something else too should resolve color independently. */
export function eventLayers(s: StrategyResult): Record<string, unknown>[] {
  const events = strategyEvents(s)
    .filter((e) => e.tMs !== null)
    .map((e) => {
      const t = (e.tMs as number) / 1000;
      return { kind: e.kind, t, end: t + e.durationMs / 1000, durationMs: e.durationMs, failed: e.error ? 'yes' : 'no' };
    });
  if (events.length === 0) return [];
  const color = { field: 'kind', type: 'nominal', title: 'event', scale: { range: EVENT_COLORS }, legend: { orient: 'bottom' } };
  const tooltip = [{ field: 'kind' }, { field: 't', title: 'at (s)', format: '.2f' }, { field: 'durationMs', title: 'duration (ms)' }, { field: 'failed' }];
  const lasting = events.filter((e) => e.durationMs > 0);
  return [
    ...(lasting.length
      ? [
          {
            data: { values: lasting },
            mark: { type: 'rect', opacity: 0.12 },
            encoding: { x: { field: 't', type: 'quantitative' }, x2: { field: 'end' }, color, tooltip },
          },
        ]
      : []),
    {
      data: { values: events },
      mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 },
      encoding: { x: { field: 't', type: 'quantitative' }, color, tooltip },
    },
  ];
}
