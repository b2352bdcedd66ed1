// `counterbench check | repair [--dry-run] | stats`: the analysis's counter_health_check.py, for
// any Postgres that has the Selfology tables. Read-only unless `repair` runs without --dry-run.
import type pg from 'pg';
import { EXIT_FAILED_CHECK, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.ts';
import { describeUrl } from '../redact.ts';
import { checkCounters, formatCheckReport } from '../health/check.ts';
import { applyRepair, formatRepairPlan, formatRepairResult, planRepair } from '../health/repair.ts';
import { collectStats, formatStats } from '../health/stats.ts';
import { parseCounterList } from '../health/tables.ts';
import { connectHealth, resolveDatabaseUrl, safeMessage } from '../health/connect.ts';
import { intFlag, parseCommandArgs, type Flags, type FlagValues } from './args.ts';
import { checkServeCommand } from './check-serve.ts';

/** Where a command writes, and the environment it reads DATABASE_URL from; tests pass their own. */
export interface CommandIO {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

const COMMON = { 'database-url': 'string', schema: 'string', json: 'boolean' } as const;

const COUNTERS_HELP = `  --counters a,b  only these counters (table.column, or the table alone); default all three.
  Exit 2 when a counter asked for is missing from the schema (checking nothing is not a pass).`;

const USAGE: Record<string, string> = {
  check: `usage: counterbench check [--database-url URL] [--schema NAME] [--counters a,b] [--examples N] [--json]
  Compares every counter with COUNT(*) of its answers. Exit 0 consistent, 1 drift,
  2 usage, connection, or a counter that could not be checked.
  With --serve, a Prometheus exporter that checks periodically ('counterbench check --serve --help').
${COUNTERS_HELP}`,
  repair: `usage: counterbench repair [--dry-run] [--database-url URL] [--schema NAME] [--counters a,b] [--limit N] [--lock-timeout-ms MS] [--json]
  --dry-run lists every counter it would change (first --limit per counter, default 20) and changes nothing.
  Without it, sets every drifted counter to its truth in one transaction, holding answer writes back
  meanwhile; gives up after --lock-timeout-ms (default 10000, 0 waits forever) if writers hold the table.
${COUNTERS_HELP}`,
  stats: `usage: counterbench stats [--database-url URL] [--schema NAME] [--json]
  Which counter columns exist, the counter triggers and their functions, the consistency view,
  table sizes, the indexes the analysis asks for.`,
};

interface Ctx {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

function ctxOf(io: CommandIO): Ctx {
  return {
    out: io.out ?? ((t) => void process.stdout.write(t + '\n')),
    err: io.err ?? ((t) => void process.stderr.write(t + '\n')),
    env: io.env ?? process.env,
  };
}

/**
 * The exit code when nothing drifted: 2 if a counter asked for could not be judged (a cron job
 * must not go green on what it did not check), after saying which on stderr; else 0. Drift, which
 * the caller checks first, is exit 1 whatever else was skipped: it is the finding to act on.
 */
function unjudgedExit(
  command: string,
  verb: 'checked' | 'repaired',
  counters: ReadonlyArray<{ name: string; present: boolean; reason?: string }>,
  ctx: Ctx,
): number {
  const absent = counters.filter((k) => !k.present);
  if (!absent.length) return EXIT_OK;
  ctx.err(`counterbench ${command}: not ${verb}: ${absent.map((k) => `${k.name} (${k.reason})`).join(', ')}; pass --counters to leave them out on purpose`);
  return EXIT_USAGE;
}

type Body = (a: { client: pg.Client; url: string; ctx: Ctx }) => Promise<number>;

/**
 * Parses, connects, runs, and turns every failure into one line on stderr and exit 2. `prepare`
 * judges the flags and returns the work, so that a bad flag is reported before any connection.
 */
async function run<F extends Flags>(
  command: string,
  argv: string[],
  io: CommandIO,
  extra: F,
  prepare: (values: FlagValues<typeof COMMON & F>) => Body,
): Promise<number> {
  const ctx = ctxOf(io);
  let url = '';
  let client: pg.Client | undefined;
  try {
    const args = parseCommandArgs({ command, usage: USAGE[command], flags: { ...COMMON, ...extra } }, argv, ctx.out);
    if (!args) return EXIT_OK;
    const body = prepare(args.values as FlagValues<typeof COMMON & F>);
    url = resolveDatabaseUrl(args.values['database-url'] as string | undefined, ctx.env);
    client = await connectHealth(url);
    return await body({ client, url, ctx });
  } catch (e) {
    if (e instanceof UsageError) ctx.err(`counterbench ${command}: ${url ? safeMessage(e, url) : e.message}`);
    else ctx.err(`counterbench ${command} failed${url ? ` on ${describeUrl(url)}` : ''}: ${safeMessage(e, url)}`);
    return EXIT_USAGE;
  } finally {
    await client?.end().catch(() => {});
  }
}

export function checkCommand(argv: string[], io: CommandIO = {}, signal?: AbortSignal): Promise<number> {
  // the exporter: the same check, every interval, on /metrics (check-serve.ts)
  if (argv.includes('--serve')) return checkServeCommand(argv, io, signal);
  return run('check', argv, io, { examples: 'string', counters: 'string' } as const, (values) => {
    const counters = parseCounterList(values.counters);
    const examples = intFlag('--examples', values.examples, { min: 0, fallback: 10 });
    return async ({ client, url, ctx }) => {
      const report = await checkCounters(client, values.schema ?? 'public', { examples, counters });
      ctx.out(values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report, describeUrl(url)));
      return report.consistent ? unjudgedExit('check', 'checked', report.counters, ctx) : EXIT_FAILED_CHECK;
    };
  });
}

export function repairCommand(argv: string[], io: CommandIO = {}): Promise<number> {
  const extra = { 'dry-run': 'boolean', limit: 'string', 'lock-timeout-ms': 'string', counters: 'string' } as const;
  return run('repair', argv, io, extra, (values) => {
    const schema = values.schema ?? 'public';
    const counters = parseCounterList(values.counters);
    const limit = intFlag('--limit', values.limit, { min: 0, fallback: 20 });
    const lockTimeoutMs = intFlag('--lock-timeout-ms', values['lock-timeout-ms'], { min: 0, fallback: 10_000 });
    return async ({ client, url, ctx }) => {
      if (values['dry-run']) {
        const plan = await planRepair(client, schema, { limit, counters });
        ctx.out(values.json ? JSON.stringify({ dryRun: true, ...plan }, null, 2) : formatRepairPlan(plan, describeUrl(url)));
        return plan.total + plan.skipped === 0 ? unjudgedExit('repair', 'checked', plan.counters, ctx) : EXIT_FAILED_CHECK;
      }
      const result = await applyRepair(client, schema, { lockTimeoutMs, counters });
      ctx.out(values.json ? JSON.stringify({ dryRun: false, ...result }, null, 2) : formatRepairResult(result, describeUrl(url)));
      // Drift the repair deliberately left alone (missing profile rows) is still drift.
      return result.skipped === 0 ? unjudgedExit('repair', 'repaired', result.counters, ctx) : EXIT_FAILED_CHECK;
    };
  });
}

/** Describes; it judges nothing, so it exits 0 whatever it finds (missing counters are warnings). */
export function statsCommand(argv: string[], io: CommandIO = {}): Promise<number> {
  return run('stats', argv, io, {} as const, (values) => async ({ client, url, ctx }) => {
    const report = await collectStats(client, values.schema ?? 'public');
    ctx.out(values.json ? JSON.stringify(report, null, 2) : formatStats(report, describeUrl(url)));
    return EXIT_OK;
  });
}
