// The page's part for the application path: reports/http-path.ts's block as a section.
import type { Results } from '../../../harness/results/types.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import { httpBlock } from '../../http-path.ts';
import { esc, section, strategyLabel, table, type SectionOut } from '../markup.ts';

export function httpSection(results: Results, palette: StrategyPalette): SectionOut[] {
  const b = httpBlock(results);
  if (!b) return [];
  const html =
    b.text.map((t) => `<p>${esc(t)}</p>`).join('\n') +
    b.tables
      .filter((t) => t.rows.length)
      .map((t) => table(t.headers.map((h, i) => ({ text: h, num: t.numeric?.[i] })), t.rows.map((r) => r.map((c, i) => (i === 0 ? strategyLabel(palette, c) : esc(c))))))
      .join('\n');
  return [{ html: section(b.id, b.title, html), charts: [] }];
}

export function httpToc(results: Results): Array<[string, string]> {
  const b = httpBlock(results);
  return b ? [[b.id, 'Through the app (HTTP)']] : [];
}
