// `counterbench report results.json [--out DIR]`: renders report.html, summary.md and
// results.csv again from a saved run.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, EXIT_USAGE, UsageError } from '../errors.ts';
import { readResults } from '../../reports/read-results.ts';
import { writeReports } from '../../reports/write.ts';
import { processOutput, type Output } from './output.ts';

export const REPORT_USAGE = `usage: counterbench report RESULTS.json [--out DIR]

Renders report.html, summary.md and results.csv from a run's results.json.
  --out DIR   where to write them (default: the directory of RESULTS.json)`;

export async function reportCommand(argv: string[], o: Output = processOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      o.out(REPORT_USAGE);
      return EXIT_OK;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one results.json, got ${positionals.length}\n\n${REPORT_USAGE}`);
    const file = positionals[0];
    const results = await readResults(file);
    const dir = values.out ?? path.dirname(file);
    const written = await writeReports(results, dir);
    for (const p of written) o.out(p);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      o.err(`counterbench report: ${(e as Error).message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
