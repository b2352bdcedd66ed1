// `counterbench capacity`: the rate search, per strategy and data size, up to the SLO lines.
import { loadCapacityScenario, parseWorkersFlag } from '../config/scenario.ts';
import { capacity, type CapacityProgress } from '../capacity/capacity.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { EXIT_FAILED_CHECK, EXIT_OK } from '../errors.ts';
import { parseCommandArgs } from './args.ts';
import { prepareOutDir, writeReportsAfterRun } from './out-dir.ts';
import { renderCapacityText } from '../../reports/capacity-text.ts';
import type { Output } from './output.ts';

export const CAPACITY_USAGE = `usage: counterbench capacity [--scenario NAME|PATH] [--strategies a,b] [--users N[,N...]]
                            [--slo-p99 MS] [--budget DURATION] [--workers N] [--out DIR] [--json]

For each strategy (with baseline beside it) and each data size: an open-model rate search. The
arrival rate grows geometrically until a step fails (write p99 over an SLO line, errors or drops
over 0.1%, achieved rate 5% short of the offered one, or counters drifting), then is bisected to
within 10%. Reports the knee per SLO line and what limited it.
  --scenario    a capacity scenario (kind: capacity), default "capacity"; see 'counterbench list'
  --strategies  comma-separated strategy ids, overriding the scenario's
  --users       data sizes to search, comma-separated (e.g. 1000,10000)
  --slo-p99     SLO lines, write p99 in ms, comma-separated (default 50,100); "+30" adds a line
  --budget      the whole search, deployments included (e.g. 8m, 90s)
  --workers     worker threads the load's clients run in (default 1: the main thread)
  --out         directory for results.json and the reports (default out/<run-id>)
  --json        print results.json on stdout, no progress and no table
  --keep        leave the counterbench_* schemas of the last size in place
DATABASE_URL names the Postgres to use (default: an embedded one); REDIS_URL the Redis.`;

const CAPACITY_FLAGS = {
  scenario: 'string',
  strategies: 'string',
  users: 'string',
  'slo-p99': 'string',
  budget: 'string',
  workers: 'string',
  out: 'string',
  json: 'boolean',
  keep: 'boolean',
  namespace: 'string',
} as const;

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One line on the terminal, updated in place: what is being tried and the budget left. */
function progressLine(o: Output) {
  let shown = false;
  return {
    update(p: CapacityProgress) {
      if (!o.tty) return;
      const pct = Math.min(100, (p.live.elapsedMs / p.live.totalMs) * 100).toFixed(0);
      const line =
        `${p.strategy} at ${p.users.toLocaleString('en-US')} users: step ${p.step}, ${p.rate.toLocaleString('en-US')}/s ` +
        `${p.live.phase} ${pct}%  write p99 ${p.live.writeP99Ms.toFixed(1)} ms  budget left ${clock(p.budgetLeftMs)}`;
      process.stderr.write(`\r\x1b[2K${line}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}

export async function capacityCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const args = parseCommandArgs({ command: 'capacity', usage: CAPACITY_USAGE, flags: CAPACITY_FLAGS }, argv, o.out);
  if (!args) return EXIT_OK;
  const { values } = args;
  const scenario = loadCapacityScenario(values.scenario, {
    strategies: values.strategies,
    users: values.users,
    sloP99: values['slo-p99'],
    budget: values.budget,
  });
  if (values.workers !== undefined) scenario.workers = parseWorkersFlag(values.workers);
  const namespace = checkNamespace(values.namespace);
  // before anything is provisioned: an unusable --out found after the search would lose it all
  const out = await prepareOutDir(values.out ?? 'out', values.out ? '--out' : 'out/ (the default --out)');
  const progress = progressLine(values.json ? { ...o, tty: false } : o);
  const note = values.json ? () => {} : (l: string) => (o.tty ? o.err(l) : undefined);
  let outcome: Awaited<ReturnType<typeof capacity>>;
  try {
    outcome = await capacity({
      scenario,
      outDir: values.out,
      databaseUrl: process.env.DATABASE_URL || undefined,
      keep: values.keep,
      namespace,
      signal,
      log: (l) => {
        progress.done();
        note(l);
      },
      warn: (l) => {
        progress.done();
        o.err(`counterbench capacity: ${l}`);
      },
      onProgress: (p) => progress.update(p),
    });
  } catch (e) {
    await out.removeIfUnused();
    throw e;
  }
  progress.done();
  const files = await writeReportsAfterRun('capacity', outcome, o);
  if (values.json) o.out(JSON.stringify(outcome.results, null, 2));
  else {
    o.out(renderCapacityText(outcome.results));
    o.out(`\nresults: ${outcome.resultsPath}`);
    for (const f of files) o.out(`report:  ${f}`);
  }
  // a knee is a finding, not a failure; a strategy that could not be deployed or run is one
  const failed = outcome.results.strategies.filter((s) => s.status === 'failed');
  for (const s of failed) o.err(`counterbench capacity: ${s.id} failed: ${s.reason?.split('\n')[0] ?? 'no reason recorded'}`);
  return failed.length ? EXIT_FAILED_CHECK : EXIT_OK;
}
