// `counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json]
// [--markdown] [--same-environment] [--absolute] [--allow-untested]`: every figure's change from A
// to B with its interval on the terminal (or the significant ones as Markdown), compare.html beside
// B; exit 1 on a significant regression beyond the threshold or a drift regression, 2 when nothing
// could be tested (a gate that tested nothing must not pass).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_FAILED_CHECK, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.ts';
import { cannotDecide, compareResults, DEFAULT_THRESHOLD_PCT, hasRegression, renderCompareHtml, renderCompareMarkdown, renderCompareText, verdictLine } from '../../reports/compare.ts';
import { MIN_SAMPLES } from '../../reports/compare-stats.ts';
import { readResults } from '../../reports/read-results.ts';
import { parseCommandArgs, withUsageErrors } from './args.ts';
import { prepareOutDir } from './out-dir.ts';
import { describeFsError } from '../fs-error.ts';
import { processOutput, type Output } from './output.ts';

export const COMPARE_USAGE = `usage: counterbench compare A/results.json B/results.json [--threshold PCT] [--out DIR] [--json | --markdown] [--same-environment] [--absolute]
                            [--allow-untested]

Compares run A with run B round by round: each figure's change with a 99 % bootstrap interval of
the difference of medians. A regression is a change worse than the threshold with its whole
interval, a counter that drifts where it did not (against what the ledger explains), or a
strategy that stopped running; exit code 1 when there is one. Judged: the ratios to baseline, dead
tuples per write, error rates and drift; the rest is shown. Runs need ${MIN_SAMPLES} rounds or more
(the built-in ci-gate scenario has 6): when nothing could be tested (no rounds, too few, and no
drift judged either) the verdict says "nothing tested" and the exit code is 2.
  --threshold PCT      percent a change may be worse before it counts (default ${DEFAULT_THRESHOLD_PCT})
  --out DIR            where to write compare.html (default: the directory of B)
  --json               print the comparison as JSON instead of the table
  --markdown           print the significant changes as a Markdown table (for a pull request)
  --same-environment   judge every figure even when Postgres version, CPUs or target differ, or
                       baseline itself moved (otherwise only the ratios to baseline are)
  --absolute           judge absolute latency and throughput and WAL bytes per write too, not only
                       the ratios to baseline (for a quiet machine of its own: on a shared one
                       they follow its load and its checkpoints)
  --allow-untested     exit 0 instead of 2 when nothing could be tested`;

const COMPARE_FLAGS = { threshold: 'string', out: 'string', json: 'boolean', markdown: 'boolean', 'same-environment': 'boolean', absolute: 'boolean', 'allow-untested': 'boolean' } as const;

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
    if (values.json && values.markdown) throw new UsageError('--json and --markdown: choose one');
    const [fileA, fileB] = positionals;
    const a = await readResults(fileA);
    const b = await readResults(fileB);
    const { dir } = await prepareOutDir(values.out ?? path.dirname(fileB), values.out ? '--out' : 'the directory of B (the default --out)');
    const comparison = compareResults(a, b, { thresholdPct, sameEnvironment: values['same-environment'] === true, absolute: values.absolute });
    const htmlPath = path.join(dir, 'compare.html');
    try {
      await writeFile(htmlPath, renderCompareHtml(comparison), 'utf8');
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      throw new UsageError(`cannot write ${htmlPath}: ${describeFsError(e)}`);
    }
    const undecided = cannotDecide(comparison);
    if (values.json) o.out(JSON.stringify({ ...comparison, html: htmlPath, regression: hasRegression(comparison), verdict: verdictLine(comparison), decided: !undecided }, null, 2));
    else if (values.markdown) {
      o.out(renderCompareMarkdown(comparison).trimEnd());
      o.err(`wrote ${htmlPath}`);
    } else {
      o.out(renderCompareText(comparison));
      o.err(`wrote ${htmlPath}`);
    }
    if (hasRegression(comparison)) return EXIT_FAILED_CHECK;
    if (!undecided) return EXIT_OK;
    if (values['allow-untested']) return EXIT_OK;
    o.err(`counterbench compare: ${verdictLine(comparison)} (--allow-untested exits 0)`);
    return EXIT_USAGE;
  });
}
