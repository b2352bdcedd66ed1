// Writes every report of a run beside its results.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Results } from '../harness/results/types.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html/render.ts';
import { renderMarkdown } from './markdown.ts';

/** Writes report.html, summary.md and results.csv into `dir`; returns their paths. */
export async function writeReports(results: Results, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['report.html', renderHtml(results)],
    ['summary.md', renderMarkdown(results)],
    ['results.csv', renderCsv(results)],
  ];
  const paths: string[] = [];
  for (const [name, content] of files) {
    const p = path.join(dir, name);
    await writeFile(p, content, 'utf8');
    paths.push(p);
  }
  return paths;
}
