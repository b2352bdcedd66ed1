// The terminal's close of a matrix (`run --matrix`): what ran on each version, then every
// strategy's consistency and cost against baseline per version, from the report's own blocks.
import type { Results } from '../results/types.ts';
import { versionsBlocks } from '../../reports/versions-blocks.ts';
import { renderTable } from './summary.ts';

export function renderVersionsSummary(results: Results): string {
  const blocks = versionsBlocks(results);
  if (!blocks.length) return '';
  const [ran, consistency, cost] = blocks;
  // the status last: a failed one's reason is long
  const versions = renderTable([['image', 'server', 'thresholds', 'status'], ...ran.tables[0].rows.map((r) => [r[0], r[2], r[6], r[1]])], 4);
  const entries = consistency.tables[0].headers.length - 2;
  const verdicts = renderTable([consistency.tables[0].headers, ...consistency.tables[0].rows], entries + 2);
  const costs = renderTable([cost.tables[0].headers.slice(0, -1), ...cost.tables[0].rows.map((r) => r.slice(0, -1))], 1);
  return `\nversions (the table above is ${results.versions!.entries.find((e) => e.strategies?.length)?.image ?? 'none'}'s):\n${versions}\n\nconsistency per version:\n${verdicts}\n\nwrite cost x baseline per version:\n${costs}`;
}
