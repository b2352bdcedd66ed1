// `compare --markdown`: what a pull request carries. Only the significant changes, each with its
// interval, and the drift and status changes; the rest is "no significant change" in one line.
import { escapeMarkdown, escapeMarkdownCode } from './safe-text.ts';
import { fmtChange } from './format.ts';
import { fmtInterval, fmtValue, headerLines, verdictLine, type Comparison, type FigureChange } from './compare.ts';

/** Significant changes, regressions first. */
export function significantChanges(c: Comparison): FigureChange[] {
  const rank = { regression: 0, improvement: 1, 'within threshold': 2 } as Record<string, number>;
  return c.figures.filter((f) => f.verdict in rank).sort((x, y) => rank[x.verdict] - rank[y.verdict]);
}

export function renderCompareMarkdown(c: Comparison): string {
  const out: string[] = [];
  const n = c.regressions.length;
  out.push(`### counterbench compare: ${escapeMarkdown(verdictLine(c))}`);
  out.push('');
  for (const l of headerLines(c)) out.push(`${escapeMarkdown(l)}  `);
  out.push('');
  const sig = significantChanges(c);
  if (sig.length) {
    out.push(`| strategy | figure | A | B | change | ${c.method.confidence * 100} % interval | verdict |`);
    out.push('|---|---|--:|--:|--:|--:|---|');
    for (const f of sig) {
      const verdict = f.verdict === 'regression' ? '**regression**' : escapeMarkdown(f.verdict);
      out.push(
        `| \`${escapeMarkdownCode(f.strategy)}\` | \`${escapeMarkdownCode(f.figure)}\` | ${escapeMarkdown(fmtValue(f, f.a))} | ${escapeMarkdown(fmtValue(f, f.b))} | ` +
          `${escapeMarkdown(fmtChange(f.changePct))} | ${escapeMarkdown(fmtInterval(f))} | ${verdict} |`,
      );
    }
    out.push('');
  }
  const quiet = c.figures.filter((f) => f.verdict === 'no significant change').length;
  if (c.tested) out.push(`${quiet} of ${c.tested} tested figures: no significant change${n ? '' : '; no figure regressed'}.`);
  const drift = c.drift.filter((d) => d.verdict === 'regression' || d.verdict === 'improvement');
  if (drift.length) {
    out.push('');
    for (const d of drift) out.push(`- drift \`${escapeMarkdownCode(d.strategy)}\` \`${escapeMarkdownCode(d.counter)}\`: ${escapeMarkdown(d.reason)}${d.verdict === 'regression' ? ' — **regression**' : ''}`);
  }
  const statuses = c.statusChanges.map((s) => `- \`${escapeMarkdownCode(s.strategy)}\`: status ${escapeMarkdown(s.a)} → ${escapeMarkdown(s.b)}${s.regression ? ' — **regression**' : ''}`);
  const claims = (c.claimChanges ?? []).map((x) => `- claim \`${escapeMarkdownCode(x.id)}\`: ${escapeMarkdown(x.a)} → ${escapeMarkdown(x.b)} (verdict changed)`);
  if (statuses.length || claims.length) out.push('', ...statuses, ...claims);
  return out.join('\n') + '\n';
}
