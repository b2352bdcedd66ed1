// The page's part for a suite: the blocks of reports/suite-blocks.ts as sections (the phase
// plan, each load phase, REFRESH against rows, the three known problems, the batch costs).
import type { Results } from '../../../harness/results/types.ts';
import { suiteBlocks, type Block } from '../../suite-blocks.ts';
import { versionsBlocks } from '../../versions-blocks.ts';
import { esc, section, table, type SectionOut } from '../markup.ts';

export function suiteSections(results: Results): SectionOut[] {
  return blockSections(suiteBlocks(results));
}

/** A matrix's blocks across Postgres versions (reports/versions-blocks.ts), the same way. */
export function versionsSections(results: Results): SectionOut[] {
  return blockSections(versionsBlocks(results));
}

function blockSections(blocks: Block[]): SectionOut[] {
  return blocks.map((b) => ({
    html: section(
      b.id,
      b.title,
      b.text.map((t) => `<p>${esc(t)}</p>`).join('\n') +
        b.tables
          .filter((t) => t.rows.length)
          .map((t) => table(t.headers.map((h, i) => ({ text: h, num: t.numeric?.[i] })), t.rows.map((r) => r.map(esc))))
          .join('\n'),
    ),
    charts: [],
  }));
}

/** Table-of-contents entries for the suite's sections, and a matrix's. */
export function suiteToc(results: Results): Array<[string, string]> {
  return [...versionsBlocks(results), ...suiteBlocks(results)].map((b) => [b.id, b.title.replace(/ \(phase [^)]+\)$/, '')]);
}
