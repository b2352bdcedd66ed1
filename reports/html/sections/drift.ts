// Whether each counter matched the truth after the load, how far off it was while the load ran
// (with job events on the same axis), and how many reads a user saw out of bounds.
import type { Results } from '../../../harness/results/types.ts';
import { readsOutOfBounds, strategyEvents } from '../../figures.ts';
import { fmtInt, fmtMs, fmtNum, fmtPct } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import type { Chart } from '../charts/chart.ts';
import { driftTimelineChart } from '../charts/drift-timeline.ts';
import { readsOutOfBoundsChart } from '../charts/reads-out-of-bounds.ts';
import { badge, chartFigure, esc, notMeasured, section, strategyLabel, table, type SectionOut } from '../markup.ts';

export function driftSection(results: Results, palette: StrategyPalette): SectionOut {
  const charts: Chart[] = [];
  const rows: string[][] = [];
  const examples: string[][] = [];
  for (const s of results.strategies) {
    if (!s.drift) continue;
    for (const c of s.drift.counters) {
      rows.push([
        strategyLabel(palette, s.id),
        `<code>${esc(c.name)}</code>`,
        esc(c.scope),
        esc(fmtInt(c.usersChecked)),
        esc(fmtInt(c.usersInconsistent)),
        c.usersInconsistent === 0 ? badge('good', fmtPct(c.consistencyPct)) : badge('bad', fmtPct(c.consistencyPct)),
        esc(fmtInt(c.lost)),
        esc(fmtInt(c.extra)),
        esc(fmtInt(c.maxAbsDrift)),
        esc(s.drift.convergeMs === null ? 'never' : fmtMs(s.drift.convergeMs)),
      ]);
      for (const ex of c.examples.slice(0, 3)) {
        examples.push([strategyLabel(palette, s.id), `<code>${esc(c.name)}</code>`, esc(fmtInt(ex.key)), esc(fmtInt(ex.counter)), esc(fmtInt(ex.truth))]);
      }
    }
  }
  let inner =
    '<p>After the load, every strategy\'s jobs drained and each counter was compared exactly with <code>COUNT(*)</code> of its answer rows, key by key.</p>';
  inner += rows.length
    ? table(
        [
          { text: 'strategy' },
          { text: 'counter' },
          { text: 'scope' },
          { text: 'keys checked', num: true },
          { text: 'keys off', num: true },
          { text: 'keys exact', num: true },
          { text: 'increments lost', num: true },
          { text: 'extra', num: true },
          { text: 'max |drift|', num: true },
          { text: 'converged after load', num: true },
        ],
        rows,
      )
    : notMeasured('Counter drift');
  if (examples.length) {
    inner +=
      '<details><summary>Examples of drifted keys</summary>' +
      table([{ text: 'strategy' }, { text: 'counter' }, { text: 'key', num: true }, { text: 'counter value', num: true }, { text: 'true count', num: true }], examples) +
      '</details>';
  }

  inner += '<h3>Drift and staleness over time</h3>';
  const timelineCharts = results.strategies.map((s) => driftTimelineChart(s, palette)).filter((c): c is Chart => c !== undefined);
  charts.push(...timelineCharts);
  inner += timelineCharts.length
    ? `<div class="chart-grid">${timelineCharts.map(chartFigure).join('')}</div>`
    : notMeasured('The drift timeline (no samples taken)');

  const eventRows: string[][] = [];
  for (const s of results.strategies) {
    const byKind = new Map<string, { n: number; total: number; max: number; failed: number; unplaced: number }>();
    for (const e of strategyEvents(s)) {
      const k = byKind.get(e.kind) ?? { n: 0, total: 0, max: 0, failed: 0, unplaced: 0 };
      k.n++;
      k.total += e.durationMs;
      k.max = Math.max(k.max, e.durationMs);
      if (e.error) k.failed++;
      if (e.tMs === null) k.unplaced++;
      byKind.set(e.kind, k);
    }
    for (const [kind, k] of byKind) {
      eventRows.push([
        strategyLabel(palette, s.id),
        esc(kind),
        esc(fmtInt(k.n)),
        esc(fmtMs(k.total / k.n)),
        esc(fmtMs(k.max)),
        esc(fmtInt(k.failed)),
      ]);
    }
  }
  if (eventRows.length) {
    inner +=
      '<h3>Job events</h3>' +
      table(
        [{ text: 'strategy' }, { text: 'event' }, { text: 'count', num: true }, { text: 'mean duration', num: true }, { text: 'longest', num: true }, { text: 'failed', num: true }],
        eventRows,
      );
  }

  inner += '<h3>Reads out of bounds</h3>';
  const readsChart = readsOutOfBoundsChart(results, palette);
  if (readsChart) {
    charts.push(readsChart);
    const readRows = results.strategies.flatMap((s) => {
      const r = readsOutOfBounds(s);
      return r
        ? [[
            strategyLabel(palette, s.id),
            esc(fmtInt(r.checked)),
            esc(fmtInt(r.below)),
            esc(fmtInt(r.above)),
            r.outOfBounds === 0 ? badge('good', '0 %') : badge('bad', `${fmtNum(r.sharePct)} %`),
            esc(fmtMs(r.staleP99Ms)),
            esc(fmtMs(r.staleMaxMs)),
          ]]
        : [];
    });
    inner +=
      '<p>Every read is judged against the inserts and deletes acknowledged before it started and those in flight while it ran: below the lower bound it missed acknowledged inserts (stale or lost); above the upper bound it counted inserts that never happened or had not yet seen acknowledged deletes (a stale view after deletes lands here too).</p>' +
      table(
        [
          { text: 'strategy' },
          { text: 'reads judged', num: true },
          { text: 'below (stale)', num: true },
          { text: 'above', num: true },
          { text: 'out of bounds', num: true },
          { text: 'staleness p99', num: true },
          { text: 'staleness max', num: true },
        ],
        readRows,
      ) +
      chartFigure(readsChart);
  } else inner += notMeasured('The share of reads out of bounds');
  return { html: section('drift', 'Counter drift and staleness', inner), charts };
}
