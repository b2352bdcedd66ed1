// The analysis's decision matrix with this run's measurements beside every claimed figure, then
// each claim marked confirmed, refuted or not measured with the numbers that decided it.
import type { Results } from '../../../harness/results/types.ts';
import { claimedOpFigure } from '../../analysis.ts';
import { claimsOf, DECISION_MATRIX, type ClaimStatus } from '../../claims.ts';
import { findStrategy } from '../../figures.ts';
import { fmtMs, fmtPct, fmtRatio } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { entryOf } from '../../verdict.ts';
import { badge, esc, section, strategyLabel, table, type SectionOut, type Tone } from '../markup.ts';
import { statusBadge } from './verdict.ts';

const TONE: Record<ClaimStatus, Tone> = { confirmed: 'good', refuted: 'bad', partly: 'warn', 'not measured': 'muted' };

export function claimBadge(status: ClaimStatus): string {
  return badge(TONE[status], status);
}

export function claimsSection(results: Results, palette: StrategyPalette): SectionOut {
  const matrixRows = DECISION_MATRIX.map((row) => {
    const s = findStrategy(results, row.id);
    const e = s ? entryOf(results, s) : undefined;
    const measuredWrite =
      e && e.writeP50Ms !== undefined
        ? `${fmtMs(e.writeP50Ms)}${e.cost.writeLatencyRatio !== undefined ? ` (${fmtRatio(e.cost.writeLatencyRatio)})` : ''}`
        : '–';
    // a strategy the document judges by its reads (COUNT(*)) gets its measured read beside the
    // write; an eventually consistent strategy is exact only after a delay
    const readClaimed = claimedOpFigure(row.id, 'read') !== undefined;
    const measuredLatency = readClaimed && e?.readP50Ms !== undefined ? `${measuredWrite}; read ${fmtMs(e.readP50Ms)}` : measuredWrite;
    const measuredConsistency = e ? fmtPct(e.consistencyPct) + (e.convergeMs ? ` (after ${fmtMs(e.convergeMs)})` : '') : '–';
    const pair = (claimed: string, measured: string): string =>
      `<span class="muted small">claimed</span> ${esc(claimed)}<br><span class="muted small">measured</span> <strong>${esc(measured)}</strong>`;
    return [
      esc(row.variant),
      `${strategyLabel(palette, row.id)}<br><span class="muted small">${esc(row.name)}</span>`,
      pair(row.claimedWriteLatency, measuredLatency),
      pair(row.claimedConsistency, e?.consistencyPct === undefined ? '–' : measuredConsistency),
      esc(row.claimedScale),
      esc(row.documentVerdict),
      e ? statusBadge(e) : badge('muted', 'not in run'),
    ];
  });
  const claims = claimsOf(results);
  const counts = { confirmed: 0, refuted: 0, partly: 0, 'not measured': 0 } as Record<ClaimStatus, number>;
  for (const c of claims) counts[c.status]++;
  const claimRows = claims.map((c) => [
    `${claimBadge(c.status)}<br><code class="small">${esc(c.id)}</code>`,
    esc(c.topic),
    esc(c.claim),
    esc(c.evidence) + (c.reason && c.status !== 'confirmed' ? `<br><span class="muted small">${esc(c.status === 'not measured' ? 'not measured: ' : '')}${esc(c.reason)}</span>` : ''),
    c.phase ? esc(c.phase) : '–',
  ]);
  const users = results.run.scenario?.data?.users;
  const html = section(
    'claims',
    'The analysis, checked',
    `<p>The decision matrix of the Selfology counter analysis, with what this run measured beside each claimed figure` +
      (users !== undefined ? ` (${esc(users.toLocaleString('en-US'))} users)` : '') +
      `. Measured write latency is the median, with its multiple of the baseline's mean in brackets; "keys exact" is the worst counter after the jobs drained.</p>` +
      table(
        [
          { text: '#' },
          { text: 'strategy' },
          { text: 'write latency (p50)' },
          { text: 'consistency (keys exact)' },
          { text: 'claimed scale' },
          { text: 'the document says' },
          { text: 'this run' },
        ],
        matrixRows,
      ) +
      `<h3>Claims: ${esc(`${counts.confirmed} confirmed, ${counts.refuted} refuted, ${counts.partly} partly, ${counts['not measured']} not measured`)}</h3>` +
      table([{ text: 'verdict' }, { text: 'topic' }, { text: 'the analysis says' }, { text: 'evidence from this run' }, { text: 'phase' }], claimRows),
  );
  return { html, charts: [] };
}
