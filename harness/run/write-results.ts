// results.json is the run's only record: a run of minutes must never be lost to an output
// folder that turned out unwritable at the end. The folder is checked before the load (the
// command line does that); should writing still fail, the file goes to the temp folder instead
// and the user is told where.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Results } from '../results/types.ts';

export function writeResultsFile(results: Results, outDir: string): { path: string; fallback?: string } {
  const text = JSON.stringify(results, null, 2) + '\n';
  try {
    fs.mkdirSync(outDir, { recursive: true });
    const p = path.join(outDir, 'results.json');
    fs.writeFileSync(p, text);
    return { path: p };
  } catch (e) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `counterbench-${results.run.id}-`));
    const p = path.join(dir, 'results.json');
    fs.writeFileSync(p, text);
    return { path: p, fallback: `could not write ${path.join(outDir, 'results.json')} (${(e as Error).message}); results saved to ${p} instead` };
  }
}
