// `counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json]`:
// every figure's change from A to B on the terminal, compare.html beside B; exit 1 when a
// regression passes the threshold.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_FAILED_CHECK, EXIT_OK, UsageError } from '../errors.ts';
import { compareResults, DEFAULT_THRESHOLD_PCT, hasRegression, renderCompareHtml, renderCompareText } from '../../reports/compare.ts';
import { readResults } from '../../reports/read-results.ts';
import { parseCommandArgs, withUsageErrors } from './args.ts';
import { prepareOutDir } from './out-dir.ts';
import { describeFsError } from '../fs-error.ts';
import { processOutput, type Output } from './output.ts';

export const COMPARE_USAGE = `usage: counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json]

Shows how every figure changed from run A to run B and flags regressions: latency up, throughput
down, consistency down, server cost up by more than the threshold. Exit code 1 when there is one.
  --threshold PCT  percent a figure may get worse before it counts (default ${DEFAULT_THRESHOLD_PCT})
  --out DIR        where to write compare.html (default: the directory of B)
  --json           print the comparison as JSON instead of the table`;

const COMPARE_FLAGS = { threshold: 'string', out: 'string', json: 'boolean' } as const;

export async function compareCommand(argv: string[], o: Output = processOutput): Promise<number> {
  return withUsageErrors('compare', o.err, async () => {
    const spec = { command: 'compare', usage: COMPARE_USAGE, flags: COMPARE_FLAGS, positionals: { count: 2, what: 'two results.json files' } };
    const args = parseCommandArgs(spec, argv, o.out);
    if (!args) return EXIT_OK;
    const { values, positionals } = args;
    let thresholdPct = DEFAULT_THRESHOLD_PCT;
    if (values.threshold !== undefined) {
      thresholdPct = values.threshold.trim() === '' ? NaN : Number(values.threshold.replace(/%$/, ''));
      if (!Number.isFinite(thresholdPct) || thresholdPct < 0) {
        throw new UsageError(`--threshold: expected a percentage >= 0, got ${JSON.stringify(values.threshold)}`);
      }
    }
    const [fileA, fileB] = positionals;
    const a = await readResults(fileA);
    const b = await readResults(fileB);
    const { dir } = await prepareOutDir(values.out ?? path.dirname(fileB), values.out ? '--out' : 'the directory of B (the default --out)');
    const comparison = compareResults(a, b, { thresholdPct });
    const htmlPath = path.join(dir, 'compare.html');
    try {
      await writeFile(htmlPath, renderCompareHtml(comparison), 'utf8');
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      throw new UsageError(`cannot write ${htmlPath}: ${describeFsError(e)}`);
    }
    if (values.json) o.out(JSON.stringify({ ...comparison, html: htmlPath, regression: hasRegression(comparison) }, null, 2));
    else {
      o.out(renderCompareText(comparison));
      o.err(`wrote ${htmlPath}`);
    }
    return hasRegression(comparison) ? EXIT_FAILED_CHECK : EXIT_OK;
  });
}
