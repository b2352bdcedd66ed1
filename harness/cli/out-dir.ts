// Where a command will write its files, proved writable before any work is done: a run that can
// only find out at the end that its --out is unusable has lost all it measured.
import { mkdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import crypto from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { describeFsError } from '../fs-error.ts';
import type { Results } from '../results/types.ts';
import { ReportsNotWritten, writeReports } from '../../reports/write.ts';
import type { Output } from './output.ts';

export interface OutDir {
  dir: string;
  /** Removes the directories prepareOutDir created, as long as nothing was written into them. */
  removeIfUnused(): Promise<void>;
}

/**
 * Creates `dir` (and its missing parents) and proves it writable by writing and removing a probe
 * file. Throws a UsageError naming `what` (the flag), the path and why it is unusable.
 */
export async function prepareOutDir(dir: string, what: string): Promise<OutDir> {
  const fail = (why: string) => new UsageError(`${what}: cannot write to ${JSON.stringify(dir)}: ${why}`);
  const target = path.resolve(dir);
  // Walk up to the nearest thing that exists and create the rest one level at a time: Node's
  // recursive mkdir spins forever under /proc, and one level at a time says which part failed.
  const missing: string[] = [];
  for (let cur = target; ; cur = path.dirname(cur)) {
    try {
      const st = await stat(cur);
      if (!st.isDirectory()) throw fail(`ENOTDIR, ${cur === target ? 'it is' : `${cur} is`} a file, not a directory`);
      break;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(cur) === cur) throw fail(describeFsError(e));
      missing.unshift(cur);
    }
  }
  const created: string[] = [];
  const removeIfUnused = async () => {
    // deepest first; rmdir refuses a directory that is not empty, which keeps anything written
    for (const d of [...created].reverse()) if (!(await rmdir(d).then(() => true, () => false))) return;
  };
  try {
    for (const d of missing) {
      await mkdir(d);
      created.push(d);
    }
    const probe = path.join(target, `.counterbench-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'probe\n', { flag: 'wx' });
    await unlink(probe);
  } catch (e) {
    await removeIfUnused();
    throw fail(describeFsError(e));
  }
  return { dir, removeIfUnused };
}

/**
 * The reports beside a results.json already written: a report that fails must not turn the
 * command into a failure or hide it, and results.json stays where it is. Returns the reports
 * written.
 */
export async function writeReportsAfterRun(command: string, outcome: { results: Results; resultsPath: string; outDir: string }, o: Output): Promise<string[]> {
  try {
    return await writeReports(outcome.results, outcome.outDir);
  } catch (e) {
    const why = e instanceof ReportsNotWritten ? e.message : `reports not written (${String((e as Error)?.message ?? e).split('\n')[0]})`;
    o.err(`counterbench ${command}: ${why}; results are kept in ${outcome.resultsPath}`);
    return e instanceof ReportsNotWritten ? e.written : [];
  }
}
