// summary.md's part for a suite: the blocks of reports/suite-blocks.ts as headings, paragraphs
// and tables.
import type { Results } from '../harness/results/types.ts';
import { escapeMarkdown as md } from './safe-text.ts';
import { suiteBlocks } from './suite-blocks.ts';
import { versionsBlocks } from './versions-blocks.ts';

export function suiteMarkdown(results: Results, table: (headers: string[], rows: string[][], numeric?: boolean[]) => string): string[] {
  const out: string[] = [];
  // a matrix's blocks across Postgres versions first (reports/versions-blocks.ts)
  for (const b of [...versionsBlocks(results), ...suiteBlocks(results)]) {
    out.push(`## ${md(b.title)}`);
    for (const t of b.text) out.push(md(t));
    for (const t of b.tables) if (t.rows.length) out.push(table(t.headers.map(md), t.rows.map((r) => r.map(md)), t.numeric));
  }
  return out;
}
