// Every race shown step by step: which permutations of each strategy's statements failed, the
// shortest of them drawn as a timeline, and for a strategy where none failed, how many were tried
// and what that does and does not prove.
import type { InterleavingPermutation, InterleavingResult, Results } from '../../../harness/results/types.ts';
import { interleavingProof, permutationToDraw } from '../../../harness/interleave/proof.ts';
import { driftText, stepNotes } from '../../../harness/interleave/labels.ts';
import { outcomeLabel, outcomeSentence } from '../../../harness/interleave/outcome.ts';
import { fmtInt } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import type { Chart } from '../charts/chart.ts';
import { interleavingTimelineChart } from '../charts/interleaving-timeline.ts';
import { badge, chartFigure, esc, section, strategyLabel, table, type SectionOut } from '../markup.ts';

const ABOUT =
  'Each spec is a few sessions of steps (BEGIN, one statement or action of the strategy, COMMIT, ROLLBACK, the application dying). ' +
  'Every order that keeps each session\'s own order is run on fresh data of one user, each step on its session\'s own connection; a step that waits on ' +
  'another session\'s lock is seen through <code>pg_blocking_pids()</code>, as PostgreSQL\'s isolation tester sees it. After the last step the strategy\'s ' +
  'background jobs drain and every counter is compared with <code>COUNT(*)</code>. A failing permutation fails the same way every time it is run.';


function outcomeBadges(r: InterleavingResult): string {
  return Object.entries(r.outcomes)
    .map(([label, n]) => badge(label === 'exact' ? 'good' : label.startsWith('exact,') ? 'warn' : 'bad', `${label} ×${n}`))
    .join(' ');
}

function summaryRow(r: InterleavingResult, palette: StrategyPalette): string[] {
  if (r.spec === null || r.status !== 'ok') {
    return [strategyLabel(palette, r.strategy), r.spec ? `<code>${esc(r.spec)}</code>` : '–', '', '', '', badge('muted', r.status) + ' ' + esc(r.reason ?? '')];
  }
  const run = `${fmtInt(r.permutations.run)}${r.permutations.invalid ? ` <span class="muted">(+${fmtInt(r.permutations.invalid)} impossible)</span>` : ''}`;
  return [strategyLabel(palette, r.strategy), `${esc(r.title)} <code>${esc(r.spec)}</code>`, esc(r.isolation), run, esc(fmtInt(r.permutations.failing)), outcomeBadges(r)];
}

function stepsTable(r: InterleavingResult, p: InterleavingPermutation): string {
  const rows = p.steps.map((s, i) => [
    esc(String(i + 1)),
    esc(s.session),
    `<code>${esc(s.step)}</code>`,
    s.sent.map((t) => `<code>${esc(t)}</code>`).join('<br>') || '–',
    esc(stepNotes(s, p).join('; ') || '–'),
    esc(driftText(s.drift)),
  ]);
  if (p.settledDrift) rows.push(['', '', '', esc('the background jobs drain'), esc(p.settleMarks ? 'the loss is made here' : '–'), esc(driftText(p.settledDrift))]);
  return (
    `<details><summary>The steps as sent (${esc(r.spec ?? '')})</summary>` +
    table([{ text: '#', num: true }, { text: 'session' }, { text: 'step' }, { text: 'sent' }, { text: 'what happened' }, { text: 'counter − COUNT(*)', num: true }], rows) +
    '</details>'
  );
}

export function interleavingsSection(results: Results, palette: StrategyPalette): SectionOut {
  const list = results.interleavings ?? [];
  if (!list.length) {
    return { html: section('interleavings', 'Interleavings', '<p class="muted">No interleaving was run: <code>counterbench interleave</code> runs them.</p>'), charts: [] };
  }
  const charts: Chart[] = [];
  let inner = `<p>${ABOUT}</p>`;
  inner += table(
    [{ text: 'strategy' }, { text: 'spec' }, { text: 'isolation' }, { text: 'permutations run', num: true }, { text: 'failing', num: true }, { text: 'outcomes' }],
    list.map((r) => summaryRow(r, palette)),
  );
  for (const id of [...new Set(list.map((r) => r.strategy))]) {
    const proof = interleavingProof(results, id);
    if (!proof) continue;
    inner += `<h3>${strategyLabel(palette, id)}</h3>`;
    inner += proof.shortest
      ? `<p>${badge('bad', outcomeLabel(proof.shortest.outcome))} ${esc(proof.evidence)}</p>`
      : `<p>${badge('good', 'exact')} ${esc(proof.evidence)}</p>`;
    const drawn = permutationToDraw(results, id);
    if (!drawn) continue;
    const { entry, permutation } = drawn;
    const what = drawn.failing ? outcomeLabel(permutation.outcome) : `what a reader sees: ${outcomeLabel(permutation.outcome)}`;
    const chart = interleavingTimelineChart(id, entry.spec!, permutation, Object.keys(entry.sessions), `${entry.title.toLowerCase()}, ${what}`);
    charts.push(chart);
    if (!drawn.failing) inner += `<p class="muted">${esc(`The shortest of them (${entry.spec}): ${outcomeSentence(permutation.outcome)}.`)}</p>`;
    inner += chartFigure(chart) + stepsTable(entry, permutation);
  }
  return { html: section('interleavings', 'Interleavings', inner), charts };
}
