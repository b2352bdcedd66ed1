// What each strategy costs: its writes against the bare INSERT, and what Postgres itself did per
// write (WAL, dead tuples, lock waits, view refreshes …; whatever the run measured).
import type { Results } from '../../../harness/results/types.ts';
import { costVsBaseline, figureLabel, serverFigureNames, serverFigures, serverNotes, serverStatements, statementsUnavailableReason } from '../../figures.ts';
import { fmtFigure, fmtRate, fmtRatio } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import type { Chart } from '../charts/chart.ts';
import { costVsBaselineChart } from '../charts/cost-vs-baseline.ts';
import { serverCostChart } from '../charts/server-cost.ts';
import { chartFigure, esc, notMeasured, section, strategyLabel, table, type SectionOut } from '../markup.ts';

export function costSection(results: Results, palette: StrategyPalette): SectionOut {
  const charts: Chart[] = [];
  const ran = results.strategies.filter((s) => s.status === 'ok');
  const rows = ran.map((s) => {
    const c = costVsBaseline(results, s);
    return [
      strategyLabel(palette, s.id),
      esc(fmtRatio(c.writeLatencyRatio)),
      esc(fmtRatio(c.writeThroughputRatio)),
      esc(fmtRate(s.ops?.write?.throughput)),
    ];
  });
  let inner = '<p>Ratios to the baseline (the bare INSERT with no counter), measured in the same run on the same server: they hold on a noisy machine where absolute times do not.</p>';
  const chart = costVsBaselineChart(results, palette);
  if (chart && rows.length) {
    charts.push(chart);
    inner +=
      table([{ text: 'strategy' }, { text: 'mean write latency', num: true }, { text: 'write throughput', num: true }, { text: 'writes/s', num: true }], rows) +
      chartFigure(chart);
  } else inner += notMeasured('Cost against the baseline (no baseline writes)');
  return { html: section('cost', 'Cost against the baseline', inner), charts };
}

const STATEMENT_COLUMNS = ['query', 'calls', 'meanExecMs', 'totalExecMs', 'rows', 'walBytes', 'sharedBlksHit', 'sharedBlksRead'];

export function serverSection(results: Results, palette: StrategyPalette): SectionOut {
  const headline = serverFigureNames(results, true);
  const all = serverFigureNames(results);
  const charts: Chart[] = [];
  let inner = '<p>Measured from Postgres itself during each strategy\'s phase. Figures named <em>per write</em> are divided by the modifying operations of that phase.</p>';
  const shown = results.strategies.filter((s) => Object.keys(serverFigures(s)).length > 0 || s.status === 'ok');
  const cellOf = (n: string, figs: Record<string, number>): string =>
    figs[n] === undefined ? '<span class="muted small">not measured</span>' : esc(fmtFigure(n, figs[n]));
  if (all.length === 0) inner += notMeasured('Server cost');
  else {
    if (headline.length) {
      // Figures down, strategies across: the figures are many, the strategies few.
      inner += table(
        [{ text: 'figure' }, ...shown.map((s) => ({ text: s.id, num: true }))],
        headline.map((n) => [
          `${esc(figureLabel(n))}${figureLabel(n) !== n ? `<br><code class="small">${esc(n)}</code>` : ''}`,
          ...shown.map((s) => cellOf(n, serverFigures(s))),
        ]),
      );
      for (const n of headline) {
        const c = serverCostChart(results, palette, n);
        if (c) charts.push(c);
      }
      inner += `<div class="chart-grid">${charts.map(chartFigure).join('')}</div>`;
    }
    const rest = all.filter((n) => !headline.includes(n));
    if (rest.length) {
      // Figures down, strategies across: dozens of figures read better as rows.
      inner +=
        `<details><summary>All ${esc(all.length)} server figures</summary>` +
        table(
          [{ text: 'figure' }, ...shown.map((s) => ({ text: s.id, num: true }))],
          all.map((n) => [`<code>${esc(n)}</code>`, ...shown.map((s) => cellOf(n, serverFigures(s)))]),
        ) +
        '</details>';
    }
  }
  const notes = results.strategies.flatMap((s) => serverNotes(s).map((n) => `${s.id}: ${n}`));
  const unavailable = results.strategies.flatMap((s) => {
    const r = statementsUnavailableReason(s);
    return r ? [r] : [];
  });
  if (unavailable.length) inner += `<p class="muted">pg_stat_statements: ${esc([...new Set(unavailable)].join('; '))}.</p>`;
  if (notes.length) inner += `<ul class="muted small">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
  for (const s of results.strategies) {
    const st = serverStatements(s);
    if (st.length === 0) continue;
    const keys = [...new Set(st.flatMap((r) => Object.keys(r)))];
    const cols = STATEMENT_COLUMNS.filter((c) => keys.includes(c));
    const use = cols.length ? cols : keys;
    inner +=
      `<details><summary>Top statements of ${esc(s.id)} (${esc(st.length)})</summary>` +
      table(
        use.map((c) => ({ text: c, num: c !== 'query' })),
        st.slice(0, 20).map((r) =>
          use.map((c) => {
            const v = r[c];
            if (typeof v === 'number') return esc(fmtFigure(c, v));
            return c === 'query' ? `<code>${esc(String(v ?? '').slice(0, 300))}</code>` : esc(v === undefined ? '' : String(v));
          }),
        ),
      ) +
      '</details>';
  }
  return { html: section('server', 'Server cost per write', inner), charts };
}
