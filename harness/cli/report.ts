// `counterbench report results.json [--out DIR]`: renders report.html, summary.md and
// results.csv again from a saved run.
import path from 'node:path';
import { EXIT_OK, UsageError } from '../errors.ts';
import { readResults } from '../../reports/read-results.ts';
import { ReportsNotWritten, writeReports } from '../../reports/write.ts';
import { parseCommandArgs, withUsageErrors } from './args.ts';
import { prepareOutDir } from './out-dir.ts';
import { processOutput, type Output } from './output.ts';

export const REPORT_USAGE = `usage: counterbench report RESULTS.json [--out DIR]

Renders report.html, summary.md and results.csv from a run's results.json.
  --out DIR   where to write them (default: the directory of RESULTS.json)`;

/** The files could not be written (a disk that filled up after the check): the place, not the
 *  harness, is at fault. A report that failed to render is a bug and keeps its stack. */
function writeFailure(e: unknown): UsageError | undefined {
  if (e instanceof ReportsNotWritten && e.failures.every((f) => (f.error as NodeJS.ErrnoException)?.code)) return new UsageError(e.message);
  return undefined;
}

export async function reportCommand(argv: string[], o: Output = processOutput): Promise<number> {
  return withUsageErrors('report', o.err, async () => {
    const args = parseCommandArgs({ command: 'report', usage: REPORT_USAGE, flags: { out: 'string' }, positionals: { count: 1, what: 'one results.json' } }, argv, o.out);
    if (!args) return EXIT_OK;
    const [file] = args.positionals;
    const results = await readResults(file);
    const { dir } = await prepareOutDir(args.values.out ?? path.dirname(file), args.values.out ? '--out' : 'the directory of RESULTS.json (the default --out)');
    try {
      for (const p of await writeReports(results, dir)) o.out(p);
    } catch (e) {
      if (e instanceof ReportsNotWritten) for (const p of e.written) o.out(p);
      throw writeFailure(e) ?? e;
    }
    return EXIT_OK;
  });
}
