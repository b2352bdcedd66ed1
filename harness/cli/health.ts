// `counterbench check | repair [--dry-run] | stats`: the analysis's counter_health_check.py, for
// any Postgres that has the Selfology tables. Read-only unless `repair` runs without --dry-run.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type pg from 'pg';
import { EXIT_FAILED_CHECK, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.ts';
import { describeUrl } from '../redact.ts';
import { checkCounters, formatCheckReport } from '../health/check.ts';
import { applyRepair, formatRepairPlan, formatRepairResult, planRepair } from '../health/repair.ts';
import { collectStats, formatStats } from '../health/stats.ts';
import { connectHealth, resolveDatabaseUrl, safeMessage } from '../health/connect.ts';

/** Where a command writes, and the environment it reads DATABASE_URL from; tests pass their own. */
export interface CommandIO {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  'database-url': { type: 'string' },
  schema: { type: 'string', default: 'public' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

const USAGE: Record<string, string> = {
  check: `usage: counterbench check [--database-url URL] [--schema NAME] [--examples N] [--json]
  Compares every counter with COUNT(*) of its answers. Exit 0 consistent, 1 drift, 2 usage/connection.`,
  repair: `usage: counterbench repair [--dry-run] [--database-url URL] [--schema NAME] [--limit N] [--lock-timeout-ms MS] [--json]
  --dry-run lists every counter it would change (first --limit per counter, default 20) and changes nothing.
  Without it, sets every drifted counter to its truth in one transaction, holding answer writes back
  meanwhile; gives up after --lock-timeout-ms (default 10000, 0 waits forever) if writers hold the table.`,
  stats: `usage: counterbench stats [--database-url URL] [--schema NAME] [--json]
  Counter triggers and their functions, the consistency view, table sizes, the indexes the analysis asks for.`,
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

function parse(command: string, argv: string[], extra: Options) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...extra }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`counterbench ${command}: ${(e as Error).message}\n${USAGE[command]}`);
  }
}

function nonNegativeInt(command: string, flag: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new UsageError(`counterbench ${command}: --${flag} must be a whole number, got "${String(v)}"`);
  }
  return n;
}

function schemaOf(command: string, v: unknown): string {
  const s = typeof v === 'string' ? v : 'public';
  if (!s) throw new UsageError(`counterbench ${command}: --schema must not be empty`);
  return s;
}

/** Parses, connects, runs, and turns every failure into one line on stderr and exit 2. */
async function run(
  command: string,
  argv: string[],
  io: CommandIO,
  extra: Options,
  body: (a: { values: ReturnType<typeof parse>; client: pg.Client; url: string; ctx: Ctx }) => Promise<number>,
): Promise<number> {
  const ctx = ctxOf(io);
  let url = '';
  let client: pg.Client | undefined;
  try {
    const values = parse(command, argv, extra);
    if (values.help) {
      ctx.out(USAGE[command]);
      return EXIT_OK;
    }
    url = resolveDatabaseUrl(values['database-url'] as string | undefined, ctx.env);
    client = await connectHealth(url);
    return await body({ values, client, url, ctx });
  } catch (e) {
    if (e instanceof UsageError) ctx.err(url ? safeMessage(e, url) : e.message);
    else ctx.err(`counterbench ${command} failed${url ? ` on ${describeUrl(url)}` : ''}: ${safeMessage(e, url)}`);
    return EXIT_USAGE;
  } finally {
    await client?.end().catch(() => {});
  }
}

export function checkCommand(argv: string[], io: CommandIO = {}): Promise<number> {
  return run('check', argv, io, { examples: { type: 'string' } }, async ({ values, client, url, ctx }) => {
    const report = await checkCounters(client, schemaOf('check', values.schema), {
      examples: nonNegativeInt('check', 'examples', values.examples, 10),
    });
    ctx.out(values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report, describeUrl(url)));
    return report.consistent ? EXIT_OK : EXIT_FAILED_CHECK;
  });
}

export function repairCommand(argv: string[], io: CommandIO = {}): Promise<number> {
  const extra: Options = {
    'dry-run': { type: 'boolean', default: false },
    limit: { type: 'string' },
    'lock-timeout-ms': { type: 'string' },
  };
  return run('repair', argv, io, extra, async ({ values, client, url, ctx }) => {
    const schema = schemaOf('repair', values.schema);
    if (values['dry-run']) {
      const plan = await planRepair(client, schema, { limit: nonNegativeInt('repair', 'limit', values.limit, 20) });
      ctx.out(values.json ? JSON.stringify({ dryRun: true, ...plan }, null, 2) : formatRepairPlan(plan, describeUrl(url)));
      return plan.total + plan.skipped === 0 ? EXIT_OK : EXIT_FAILED_CHECK;
    }
    const lockTimeoutMs = nonNegativeInt('repair', 'lock-timeout-ms', values['lock-timeout-ms'], 10_000);
    const result = await applyRepair(client, schema, { lockTimeoutMs });
    ctx.out(values.json ? JSON.stringify({ dryRun: false, ...result }, null, 2) : formatRepairResult(result, describeUrl(url)));
    // Drift the repair deliberately left alone (missing profile rows) is still drift.
    return result.skipped === 0 ? EXIT_OK : EXIT_FAILED_CHECK;
  });
}

export function statsCommand(argv: string[], io: CommandIO = {}): Promise<number> {
  return run('stats', argv, io, {}, async ({ values, client, url, ctx }) => {
    const report = await collectStats(client, schemaOf('stats', values.schema));
    ctx.out(values.json ? JSON.stringify(report, null, 2) : formatStats(report, describeUrl(url)));
    return EXIT_OK;
  });
}
