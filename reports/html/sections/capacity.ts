// The page of a capacity search: the knees and headroom per data size, the planner's figures,
// the hockey stick and achieved-against-offered charts, and every step. The run-info and not-run
// sections of the usual page close it.
import type { CapacityResult, CapacitySearch, Results } from '../../../harness/results/types.ts';
import { fmtCrossing, fmtHeadroom, fmtKnee, fmtLimit, todayLines } from '../../capacity.ts';
import { fmtInt, fmtMs, fmtNum, fmtPct } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import type { Chart } from '../charts/chart.ts';
import { capacityLatencyChart, capacityThroughputChart } from '../charts/capacity-charts.ts';
import { badge, chartFigure, esc, section, strategyLabel, table, type Column, type SectionOut } from '../markup.ts';
import { notRunSection } from './errors.ts';
import { environmentSection, scenarioSection } from './run-info.ts';

export const CAPACITY_TOC: Array<[string, string]> = [
  ['capacity', 'Capacity'],
  ['capacity-steps', 'Every step'],
  ['not-run', 'Not run'],
  ['environment', 'Environment'],
  ['scenario', 'Scenario'],
];

const STATUS_TONE: Record<CapacitySearch['status'], 'good' | 'warn' | 'bad' | 'muted'> = {
  done: 'good',
  unfinished: 'warn',
  interrupted: 'warn',
  'not-started': 'muted',
  failed: 'bad',
  'not-deployable': 'muted',
  skipped: 'muted',
};

function kneesTable(c: CapacityResult, palette: StrategyPalette, users: number): string {
  const lines = c.settings.sloP99Ms;
  const columns: Column[] = [{ text: 'strategy' }];
  for (const l of lines) {
    columns.push({ text: `knee, p99 ≤ ${fmtNum(l)} ms`, num: true }, { text: 'limited by' });
    if (c.profile) columns.push({ text: 'headroom', num: true });
  }
  columns.push({ text: 'steps', num: true }, { text: 'search' });
  const rows = c.searches
    .filter((s) => s.users === users)
    .map((s) => {
      const cells = [strategyLabel(palette, s.strategy)];
      for (const k of s.knees) {
        cells.push(esc(fmtKnee(k)), `<span title="${esc(k.detail)}">${k.limit === 'harness' ? badge('warn', fmtLimit(k)) : esc(fmtLimit(k))}</span>`);
        if (c.profile) cells.push(esc(fmtHeadroom(k.headroom, k.lowerBound)));
      }
      const limited = s.steps.filter((x) => x.harnessLimited).length;
      cells.push(esc(`${s.steps.length}${limited ? ` (${limited} harness)` : ''}`), badge(STATUS_TONE[s.status], s.status));
      return cells;
    });
  return table(columns, rows);
}

function stepsTable(c: CapacityResult, s: CapacitySearch): string {
  const lines = c.settings.sloP99Ms;
  const rows = s.steps.map((st) => [
    esc(String(st.index)),
    esc(fmtNum(st.offeredRate)),
    esc(fmtNum(st.achievedRate)),
    esc(fmtMs(st.latencyMs.p50)),
    esc(fmtMs(st.latencyMs.p99)),
    esc(fmtMs(st.latencyMs.max)),
    esc(fmtMs(st.serviceMs.p99)),
    esc(fmtInt(st.errors)),
    esc(fmtInt(st.dropped)),
    esc(st.drift ? fmtInt(st.drift.added) : '–'),
    esc(`${fmtNum(st.clients)} (${fmtPct(st.pool.busyPct, 3)} busy)`),
    esc(`${fmtMs(st.harness.loopDelayP99Ms)} / ${fmtMs(st.harness.loopDelayMaxMs)}`),
    esc(`${fmtNum(st.harness.cpuPct)} %`),
    lines.map((l) => (st.passed[String(l)] ? badge('good', `${fmtNum(l)} ms`) : badge('bad', `${fmtNum(l)} ms`))).join(' ') +
      (st.causes.length ? ` <span class="muted small">${esc(st.causes.join(', '))}</span>` : '') +
      (st.harnessLimited ? ` ${badge('warn', 'harness')}` : ''),
  ]);
  return table(
    [
      { text: 'step', num: true },
      { text: 'offered /s', num: true },
      { text: 'achieved /s', num: true },
      { text: 'p50', num: true },
      { text: 'p99', num: true },
      { text: 'max', num: true },
      { text: 'service p99', num: true },
      { text: 'errors', num: true },
      { text: 'dropped', num: true },
      { text: 'drift', num: true },
      { text: 'connections', num: true },
      { text: 'loop delay p99 / max', num: true },
      { text: 'harness CPU', num: true },
      { text: 'lines' },
    ],
    rows,
  );
}

function capacitySection(results: Results, c: CapacityResult, palette: StrategyPalette): SectionOut {
  const charts: Chart[] = [];
  const s = c.settings;
  let inner = '';
  if (c.interrupted) inner += '<div class="banner">This search was interrupted: the steps measured before it are kept, and the knees they give are lower bounds.</div>';
  const limited = c.searches.reduce((a, x) => a + x.steps.filter((st) => st.harnessLimited).length, 0);
  if (limited) {
    inner += `<div class="banner">${esc(
      `In ${limited} step${limited === 1 ? '' : 's'} the harness itself may have caused the failure (its CPU, its connections, or an event-loop stall as large as the excess). A knee resting on such a step is the server's capacity at least, not its capacity.`,
    )}</div>`;
  }
  inner +=
    `<p>For each strategy and data size, an open-model rate search: the arrival rate grows ×${esc(fmtNum(s.growth))} from ${esc(fmtNum(s.startRate))}/s until a step fails, ` +
    `then is bisected until the failing rate is within ${esc(fmtNum(s.tolerance * 100))} % of the passing one. A step (${esc(fmtNum(s.warmupSeconds))} s warm-up, ${esc(fmtNum(s.windowSeconds))} s measured) fails a line when write p99, from each write's intended start, is over it; ` +
    `and every line when errors or dropped arrivals exceed ${esc(fmtNum(s.maxErrorPct))} %, the achieved rate falls more than ${esc(fmtNum(s.maxShortfallPct))} % short of the offered one, or a counter drifts. ` +
    `A failure is confirmed by a second step at the same rate. The <strong>knee</strong> is the highest rate that passed; "≥" marks a lower bound.</p>`;
  const today = todayLines(c);
  if (today.length) inner += `<div class="card muted"><h3>Headroom for the profile</h3><p>${esc(today[0])}</p><ul>${today.slice(1).map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>`;
  for (const users of s.users) {
    inner += `<h3>${esc(fmtInt(users))} users</h3>` + kneesTable(c, palette, users);
    const pair = [capacityLatencyChart(c, palette, users), capacityThroughputChart(c, palette, users)].filter((x): x is Chart => x !== undefined);
    charts.push(...pair);
    if (pair.length) inner += `<div class="chart-grid">${pair.map(chartFigure).join('')}</div>`;
    else inner += '<p class="muted">No step was measured at this size.</p>';
  }
  if (c.crossings?.length) {
    inner +=
      `<h3>Where the profile's peak meets the knee</h3><p class="muted">Users at which the peak writes reach each knee. Between measured sizes the knee is interpolated on a log-log line; outside them it is projected (flat below the smallest, along the last slope above the largest): a projection, not a measurement.</p>` +
      table(
        [{ text: 'strategy' }, { text: 'line' }, { text: 'users at the knee', num: true }],
        c.crossings.map((x) => [strategyLabel(palette, x.strategy), esc(`p99 ${fmtNum(x.sloP99Ms)} ms`), esc(fmtCrossing(x))]),
      );
  }
  const notes = c.searches.filter((x) => x.reason);
  if (notes.length) {
    inner += `<h3>Notes</h3><ul>${notes.map((x) => `<li>${strategyLabel(palette, x.strategy)} at ${esc(fmtInt(x.users))} users: ${esc(x.reason)}</li>`).join('')}</ul>`;
  }
  inner += `<p class="muted small">${esc(`Run ${results.run.id}: budget ${fmtMs(s.budgetMs)}, used ${fmtMs(c.usedMs)}.`)}</p>`;
  return { html: section('capacity', 'Capacity: how far each strategy carries', inner), charts };
}

function stepsSection(c: CapacityResult, palette: StrategyPalette): SectionOut {
  const inner = c.searches
    .filter((s) => s.steps.length)
    .map(
      (s) =>
        `<details><summary>${strategyLabel(palette, s.strategy)} at ${esc(fmtInt(s.users))} users: ${esc(String(s.steps.length))} steps${s.seed ? esc(`, seeded ${fmtInt(s.seed.rows)} rows in ${fmtMs(s.seed.ms)}`) : ''}</summary>` +
        `<ul class="small">${s.knees.map((k) => `<li>${esc(`p99 ${fmtNum(k.sloP99Ms)} ms: ${fmtKnee(k)}, ${k.detail}`)}</li>`).join('')}</ul>` +
        stepsTable(c, s) +
        '</details>',
    )
    .join('');
  return { html: section('capacity-steps', 'Every step, in the order measured', inner || '<p class="muted">No step was measured.</p>'), charts: [] };
}

/** The sections of a capacity search's page. */
export function capacityPage(results: Results, palette: StrategyPalette): SectionOut[] {
  const c = results.capacity!;
  return [capacitySection(results, c, palette), stepsSection(c, palette), notRunSection(results, palette), environmentSection(results), scenarioSection(results)];
}
