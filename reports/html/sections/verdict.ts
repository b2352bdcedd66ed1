// The first screen: which strategy to deploy for this run's load, which kept every counter exact
// and what that cost against the bare INSERT, every strategy's key figures in one table, and the
// legend: each strategy's color, what it is and where it comes from.
import type { Results } from '../../../harness/results/types.ts';
import { fmtInt, fmtMs, fmtPct, fmtRatio } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { verdictOf, type VerdictEntry } from '../../verdict.ts';
import { badge, esc, section, strategyLabel, table, type SectionOut } from '../markup.ts';

function costText(e: VerdictEntry): string {
  const parts: string[] = [];
  if (e.convergeMs && e.readsOutOfBoundsPct !== 0) parts.push(`exact ${fmtMs(e.convergeMs)} after the load ended`);
  if (e.readsOutOfBoundsPct) parts.push(`${fmtPct(e.readsOutOfBoundsPct)} of reads out of bounds meanwhile`);
  if (e.mixCostRatio !== undefined) parts.push(`${fmtRatio(e.mixCostRatio)} the baseline's cost per operation of the mix`);
  if (e.cost.writeLatencyRatio !== undefined) parts.push(`${fmtRatio(e.cost.writeLatencyRatio)} baseline write latency`);
  if (e.writeP50Ms !== undefined) parts.push(`median write ${fmtMs(e.writeP50Ms)}`);
  return parts.join(', ');
}

export function statusBadge(e: VerdictEntry): string {
  switch (e.class) {
    case 'exact':
      return badge('good', 'exact');
    case 'drifted':
      return badge('bad', 'drifted');
    case 'no-counter':
      return badge('muted', 'no counter');
    case 'unchecked':
      return badge('warn', 'not checked');
    default:
      return badge('muted', e.status);
  }
}

/** Every strategy of the run: its color in every chart, what it is, where the pattern comes from. */
function legend(entries: VerdictEntry[], palette: StrategyPalette): string {
  return (
    `<h3>Legend</h3>` +
    table(
      [{ text: 'strategy' }, { text: 'what it is' }, { text: 'where it comes from' }],
      entries.map((e) => [strategyLabel(palette, e.id), esc(e.title), esc(e.origin)]),
    )
  );
}

export function verdictSection(results: Results, palette: StrategyPalette): SectionOut {
  const v = verdictOf(results);
  const li = (inner: string): string => `<li>${inner}</li>`;
  const cards: string[] = [];
  cards.push(
    `<div class="card good"><h3>Kept every counter exact</h3>` +
      (v.exact.length
        ? `<ul>${v.exact.map((e) => li(`${strategyLabel(palette, e.id)} <span class="muted">${esc(costText(e))}</span>`)).join('')}</ul>`
        : '<p class="muted">none</p>') +
      `</div>`,
  );
  cards.push(
    `<div class="card bad"><h3>Drifted from the truth</h3>` +
      (v.drifted.length
        ? `<ul>${v.drifted
            .map((e) =>
              li(
                `${strategyLabel(palette, e.id)} <span class="muted">${esc(
                  `${fmtPct(e.consistencyPct)} of keys exact; worst counter ${fmtInt(e.lost)} increments lost, ${fmtInt(e.extra)} extra`,
                )}</span>`,
              ),
            )
            .join('')}</ul>`
        : '<p class="muted">none</p>') +
      `</div>`,
  );
  const others = [...v.noCounter, ...v.unchecked, ...v.notRun];
  if (others.length) {
    cards.push(
      `<div class="card muted"><h3>Not judged</h3><ul>${others
        .map((e) => {
          const why = e.class === 'no-counter' ? 'keeps no counter' : e.class === 'unchecked' ? 'counters not checked' : e.status;
          return li(`${strategyLabel(palette, e.id)} <span class="muted">${esc(why)}</span>`);
        })
        .join('')}</ul></div>`,
    );
  }
  const rec = v.recommendation;
  const recommendation =
    `<div class="card ${rec.atEveryRead || rec.afterConvergence ? 'good' : 'muted'}" id="recommendation"><h3>Recommended for this load</h3>` +
    `<ul>${rec.lines.map((l) => li(esc(l))).join('')}</ul></div>`;
  const entries = [...v.exact, ...v.drifted, ...v.noCounter, ...v.unchecked, ...v.notRun];
  const order = new Map(results.strategies.map((s, i) => [s.id, i]));
  entries.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const rows = entries.map((e) => [
    `${strategyLabel(palette, e.id)}<br><span class="muted small">${esc(e.title)}</span>`,
    statusBadge(e),
    esc(fmtPct(e.consistencyPct)),
    esc(e.lost === undefined ? '–' : fmtInt(e.lost)),
    esc(fmtMs(e.mixCostMs)),
    esc(fmtRatio(e.mixCostRatio)),
    esc(fmtMs(e.writeP50Ms)),
    esc(fmtMs(e.writeP99Ms)),
    esc(fmtRatio(e.cost.writeLatencyRatio)),
    esc(fmtMs(e.readP50Ms)),
  ]);
  let banners = '';
  if (results.run.interrupted) banners += `<div class="banner">This run was interrupted: the figures below are partial.</div>`;
  const saturated = entries.filter((e) => e.harnessSaturated).map((e) => e.id);
  if (saturated.length) banners += `<div class="banner">The harness itself was saturated while measuring ${esc(saturated.join(', '))}: those latencies include its own delay.</div>`;
  let thresholds = '';
  const outcomes = results.run.thresholds ?? [];
  if (outcomes.length) {
    const failed = outcomes.filter((t) => !t.passed).length;
    thresholds =
      `<h3>Thresholds: ${failed === 0 ? badge('good', 'all passed') : badge('bad', `${failed} of ${outcomes.length} failed`)}</h3>` +
      table(
        [{ text: 'strategy' }, { text: 'threshold' }, { text: 'actual', num: true }, { text: 'outcome' }],
        outcomes.map((t) => [
          strategyLabel(palette, t.strategy),
          `<code>${esc(t.expression)}</code>`,
          esc(t.actual === null ? '–' : String(Number(t.actual.toPrecision(4)))),
          t.passed ? badge('good', 'passed') : badge('bad', 'failed'),
        ]),
      );
  }
  const html = section(
    'verdict',
    'Verdict',
    banners +
      `<p class="lead">${esc(v.headline)}</p>` +
      recommendation +
      `<div class="cards">${cards.join('')}</div>` +
      table(
        [
          { text: 'strategy' },
          { text: 'counters' },
          { text: 'keys exact', num: true },
          { text: 'lost (worst counter)', num: true },
          { text: 'cost per op (mix, mean)', num: true },
          { text: 'mix × baseline', num: true },
          { text: 'write p50', num: true },
          { text: 'write p99', num: true },
          { text: 'write × baseline', num: true },
          { text: 'read p50', num: true },
        ],
        rows,
      ) +
      thresholds +
      legend(entries, palette),
  );
  return { html, charts: [] };
}
