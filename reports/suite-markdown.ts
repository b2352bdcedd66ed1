// summary.md's part for a suite: filled in below.
import type { Results } from '../harness/results/types.ts';

export function suiteMarkdown(results: Results, _table: (headers: string[], rows: string[][], numeric?: boolean[]) => string): string[] {
  if (!results.suite) return [];
  return [];
}
