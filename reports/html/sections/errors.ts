// Failed operations by kind, and why any strategy did not run at all.
import type { Results } from '../../../harness/results/types.ts';
import { describeErrorKind } from '../../error-kinds.ts';
import { errorsByKind } from '../../figures.ts';
import { fmtInt } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { errorsByKindChart } from '../charts/errors-by-kind.ts';
import { badge, chartFigure, esc, section, strategyLabel, table, type SectionOut } from '../markup.ts';

export function errorsSection(results: Results, palette: StrategyPalette): SectionOut {
  const rows = results.strategies.flatMap((s) =>
    Object.entries(errorsByKind(s)).map(([kind, n]) => [strategyLabel(palette, s.id), esc(describeErrorKind(kind)), esc(fmtInt(n))]),
  );
  const retries = results.strategies.flatMap((s) => {
    const r = Object.values(s.ops ?? {}).reduce((n, o) => n + (o?.retries ?? 0), 0);
    return r > 0 ? [`${s.id}: ${fmtInt(r)}`] : [];
  });
  const chart = errorsByKindChart(results, palette);
  let inner = rows.length
    ? table([{ text: 'strategy' }, { text: 'kind' }, { text: 'failed operations', num: true }], rows) + (chart ? chartFigure(chart) : '')
    : '<p>No operation failed in this run.</p>';
  if (retries.length) inner += `<p class="muted">Retried and then succeeded (serialization failures, deadlocks): ${esc(retries.join('; '))}.</p>`;
  return { html: section('errors', 'Errors by kind', inner), charts: chart ? [chart] : [] };
}

export function notRunSection(results: Results, palette: StrategyPalette): SectionOut {
  const notRun = results.strategies.filter((s) => s.status !== 'ok');
  const inner = notRun.length
    ? table(
        [{ text: 'strategy' }, { text: 'status' }, { text: 'reason' }],
        notRun.map((s) => [
          strategyLabel(palette, s.id),
          badge(s.status === 'failed' ? 'bad' : s.status === 'skipped' || s.status === 'interrupted' ? 'warn' : 'muted', s.status),
          `<code>${esc(s.reason ?? '(no reason given)')}</code>`,
        ]),
      )
    : '<p>Every strategy was deployed and measured.</p>';
  return { html: section('not-run', 'Not measured in full: not deployable, skipped, failed, interrupted or not run', inner), charts: [] };
}
