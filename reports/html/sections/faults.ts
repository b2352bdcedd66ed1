// Faults of the run, injected or suffered, each with what it cost: their cost is theirs, and the
// claims section decides nothing on a phase that had one.
import type { Results } from '../../../harness/results/types.ts';
import { allFaults, faultCost, faultWhen } from '../../faults.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { badge, esc, section, strategyLabel, table, type SectionOut } from '../markup.ts';

export function faultsSection(results: Results, palette: StrategyPalette): SectionOut {
  const faults = allFaults(results);
  if (!faults.length) return { html: section('faults', 'Faults', '<p>No fault was injected or suffered in this run.</p>'), charts: [] };
  const rows = faults.map(({ strategy, fault: f }) => [
    strategyLabel(palette, strategy),
    `<code>${esc(f.kind)}</code>`,
    f.happened ? badge(f.injected ? 'warn' : 'bad', f.injected ? 'injected' : 'suffered') : badge('muted', 'not injected'),
    esc(faultWhen(f)),
    esc(f.detail),
    esc(faultCost(f).join(', ') || '-'),
  ]);
  const inner =
    '<p>What each fault cost is the fault\'s, not the strategy\'s: the claims of the analysis are not decided on a phase that had one, ' +
    'and its drift is shown as measured under the fault.</p>' +
    table([{ text: 'strategy' }, { text: 'fault' }, { text: '' }, { text: 'when' }, { text: 'what happened' }, { text: 'cost' }], rows);
  return { html: section('faults', 'Faults', inner), charts: [] };
}
