// `counterbench capacity`: the rate search, per strategy and data size, up to the SLO lines.
import { parseArgs } from 'node:util';
import { loadCapacityScenario } from '../config/scenario.ts';
import { capacity, type CapacityProgress } from '../capacity/capacity.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { EXIT_FAILED_CHECK, EXIT_OK } from '../errors.ts';
import { writeReports } from '../../reports/write.ts';
import { renderCapacityText } from '../../reports/capacity-text.ts';
import type { Output } from './output.ts';

export const CAPACITY_USAGE = `usage: counterbench capacity [--scenario NAME|PATH] [--strategies a,b] [--users N[,N...]]
                            [--slo-p99 MS] [--budget DURATION] [--out DIR] [--json]

For each strategy (with baseline beside it) and each data size: an open-model rate search. The
arrival rate grows geometrically until a step fails (write p99 over an SLO line, errors or drops
over 0.1%, achieved rate 5% short of the offered one, or counters drifting), then is bisected to
within 10%. Reports the knee per SLO line and what limited it.
  --scenario    a capacity scenario (kind: capacity), default "capacity"; see 'counterbench list'
  --strategies  comma-separated strategy ids, overriding the scenario's
  --users       data sizes to search, comma-separated (e.g. 1000,10000)
  --slo-p99     SLO lines, write p99 in ms, comma-separated (default 50,100); "+30" adds a line
  --budget      the whole search, deployments included (e.g. 8m, 90s)
  --out         directory for results.json and the reports (default out/<run-id>)
  --json        print results.json on stdout, no progress and no table
  --keep        leave the counterbench_* schemas of the last size in place
DATABASE_URL names the Postgres to use (default: an embedded one); REDIS_URL the Redis.`;

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
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      strategies: { type: 'string' },
      users: { type: 'string' },
      'slo-p99': { type: 'string' },
      budget: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      namespace: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    o.out(CAPACITY_USAGE);
    return EXIT_OK;
  }
  const scenario = loadCapacityScenario(values.scenario, {
    strategies: values.strategies,
    users: values.users,
    sloP99: values['slo-p99'],
    budget: values.budget,
  });
  const namespace = checkNamespace(values.namespace);
  const progress = progressLine(values.json ? { ...o, tty: false } : o);
  const note = values.json ? () => {} : (l: string) => (o.tty ? o.err(l) : undefined);
  const outcome = await capacity({
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
    onProgress: (p) => progress.update(p),
  });
  progress.done();
  const files = await writeReports(outcome.results, outcome.outDir);
  if (values.json) o.out(JSON.stringify(outcome.results, null, 2));
  else {
    o.out(renderCapacityText(outcome.results));
    o.out(`\nresults: ${outcome.resultsPath}`);
    for (const f of files) o.out(`report:  ${f}`);
  }
  // a knee is a finding, not a failure; a strategy that could not be deployed or run is one
  const failed = outcome.results.strategies.filter((s) => s.status === 'failed');
  if (failed.length) o.err(`counterbench capacity: ${failed.map((s) => s.id).join(', ')} failed: see the reasons above`);
  return failed.length ? EXIT_FAILED_CHECK : EXIT_OK;
}
