// Writes every report of a run beside its results.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Results } from '../harness/results/types.ts';
import { describeFsError } from '../harness/fs-error.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html/render.ts';
import { renderMarkdown } from './markdown.ts';

/** Some reports could not be rendered or written; the others were. */
export class ReportsNotWritten extends Error {
  constructor(
    readonly written: string[],
    readonly failures: Array<{ file: string; reason: string; error: unknown }>,
  ) {
    super(failures.map((f) => `${f.file} not written (${f.reason})`).join('; '));
    this.name = 'ReportsNotWritten';
  }
}

const REPORTS: Array<[string, (r: Results) => string]> = [
  ['report.html', renderHtml],
  ['summary.md', renderMarkdown],
  ['results.csv', renderCsv],
];

/**
 * Writes report.html, summary.md and results.csv into `dir`; returns their paths. Each report is
 * attempted even when another fails, since each stands alone; if any failed, throws
 * ReportsNotWritten after the others are written.
 */
export async function writeReports(results: Results, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const failures: ReportsNotWritten['failures'] = [];
  for (const [name, render] of REPORTS) {
    const p = path.join(dir, name);
    try {
      await writeFile(p, render(results), 'utf8');
      written.push(p);
    } catch (e) {
      failures.push({ file: p, reason: describeFsError(e).split('\n')[0], error: e });
    }
  }
  if (failures.length) throw new ReportsNotWritten(written, failures);
  return written;
}
