// `counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json]`:
// every figure's change from A to B on the terminal, compare.html beside B; exit 1 when a
// regression passes the threshold.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_FAILED_CHECK, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.ts';
import { compareResults, DEFAULT_THRESHOLD_PCT, hasRegression, renderCompareHtml, renderCompareText } from '../../reports/compare.ts';
import { readResults } from '../../reports/read-results.ts';
import { processOutput, type Output } from './output.ts';

export const COMPARE_USAGE = `usage: counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json]

Shows how every figure changed from run A to run B and flags regressions: latency up, throughput
down, consistency down, server cost up by more than the threshold. Exit code 1 when there is one.
  --threshold PCT  percent a figure may get worse before it counts (default ${DEFAULT_THRESHOLD_PCT})
  --out DIR        where to write compare.html (default: the directory of B)
  --json           print the comparison as JSON instead of the table`;

export async function compareCommand(argv: string[], o: Output = processOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        threshold: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      o.out(COMPARE_USAGE);
      return EXIT_OK;
    }
    if (positionals.length !== 2) throw new UsageError(`expected two results.json files, got ${positionals.length}\n\n${COMPARE_USAGE}`);
    let thresholdPct = DEFAULT_THRESHOLD_PCT;
    if (values.threshold !== undefined) {
      thresholdPct = Number(values.threshold.replace(/%$/, ''));
      if (!Number.isFinite(thresholdPct) || thresholdPct < 0 || values.threshold.trim() === '') {
        throw new UsageError(`--threshold must be a percentage of 0 or more, got "${values.threshold}"`);
      }
    }
    const [fileA, fileB] = positionals;
    const a = await readResults(fileA);
    const b = await readResults(fileB);
    const comparison = compareResults(a, b, { thresholdPct });
    const dir = values.out ?? path.dirname(fileB);
    await mkdir(dir, { recursive: true });
    const htmlPath = path.join(dir, 'compare.html');
    await writeFile(htmlPath, renderCompareHtml(comparison), 'utf8');
    if (values.json) o.out(JSON.stringify({ ...comparison, html: htmlPath, regression: hasRegression(comparison) }, null, 2));
    else {
      o.out(renderCompareText(comparison));
      o.err(`wrote ${htmlPath}`);
    }
    return hasRegression(comparison) ? EXIT_FAILED_CHECK : EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      o.err(`counterbench compare: ${(e as Error).message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
