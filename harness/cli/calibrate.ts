// `counterbench calibrate`: the harness's driver beside pgbench on the baseline INSERT.
import { calibrate, type Calibration } from '../calibrate/calibrate.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { scrub, secretsOf } from '../redact.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { parseDurationMs } from '../config/duration.ts';
import { intFlag, parseCommandArgs } from './args.ts';
import { renderTable } from './summary.ts';
import type { Output } from './output.ts';

export const CALIBRATE_USAGE = `usage: counterbench calibrate [--clients N] [--duration S] [--json]

  --clients   concurrent clients of both the harness and pgbench (default 16)
  --duration  measured seconds of each, after a short warm-up (default 10)
  --json      print the figures as one JSON object
The baseline INSERT through the harness's driver, then the same SQL through pgbench (when it is
on PATH) against the same server and schema; the harness should reach 0.95 of pgbench's rate.
DATABASE_URL names the Postgres to use (default: an embedded one).`;

/** Below this share of pgbench's rate the harness, not the server, limits what is measured. */
export const KEEPS_UP = 0.95;

/** pgbench -T takes whole seconds. */
function wholeSeconds(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = parseDurationMs(v, 's');
  if (ms === undefined || ms < 1000 || ms % 1000 !== 0) throw new UsageError(`--duration: expected whole seconds >= 1 (e.g. 10 or 10s), got ${JSON.stringify(v)}`);
  return ms / 1000;
}

const f = (n: number, d: number) => (Number.isFinite(n) ? n.toFixed(d) : '-');

export function renderCalibration(c: Calibration): string {
  const lines = [
    `calibrate: the baseline INSERT, closed model, ${c.clients} clients, ${c.warmupSeconds}s warm-up + ${c.seconds}s each`,
    `target: ${c.target}, PostgreSQL ${c.postgres.split(' ')[0]}; schema ${c.schema}`,
    '',
  ];
  const rows = [['', 'ops/s', 'mean ms', 'operations', 'errors', 'client CPU µs/op']];
  const cpu = (x?: number) => (x === undefined ? '-' : f(x, 1));
  rows.push(['harness', f(c.harness.throughput, 1), f(c.harness.latencyMeanMs, 3), String(c.harness.operations), String(c.harness.errors), cpu(c.harness.cpuUsPerOp)]);
  if (c.pgbench) {
    rows.push(['pgbench', f(c.pgbench.throughput, 1), f(c.pgbench.latencyMeanMs, 3), String(c.pgbench.operations), String(c.pgbench.errors), cpu(c.pgbench.cpuUsPerOp)]);
  }
  if (c.ratio) rows.push(['harness/pgbench', f(c.ratio.throughput, 3), f(c.ratio.latency, 3), '', '', '']);
  lines.push(renderTable(rows), '');
  lines.push(`harness: the load driver on the ${c.harness.driver === 'lean' ? 'lean connection (harness/db/lean)' : 'pg (node-postgres) connection'}`);
  if (c.pgbench) lines.push(`pgbench: ${c.pgbench.version}, -n -M prepared -c ${c.clients} -j ${c.pgbench.threads} -T ${c.seconds}`);
  else lines.push(`pgbench: not run (${c.pgbenchSkipped ?? 'unknown reason'}); the harness's figures only`);
  if (c.ratio) {
    lines.push(
      c.ratio.throughput >= KEEPS_UP
        ? `the harness keeps up: ${f(c.ratio.throughput * 100, 1)}% of pgbench's throughput (wanted ≥ ${KEEPS_UP * 100}%)`
        : `the harness falls short: ${f(c.ratio.throughput * 100, 1)}% of pgbench's throughput (wanted ≥ ${KEEPS_UP * 100}%)`,
    );
  }
  if (c.harness.saturated) {
    lines.push(`the harness's event loop was saturated (loop delay p99 ${f(c.harness.loopDelayP99Ms, 1)} ms, CPU ${f(c.harness.cpuPct, 0)}%)`);
  }
  if (c.interrupted) lines.push('INTERRUPTED: partial figures');
  return lines.join('\n');
}

export async function calibrateCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const flags = { clients: 'string', duration: 'string', json: 'boolean', namespace: 'string' } as const;
  const args = parseCommandArgs({ command: 'calibrate', usage: CALIBRATE_USAGE, flags }, argv, o.out);
  if (!args) return EXIT_OK;
  const { values } = args;
  const clients = intFlag('--clients', values.clients, { min: 1, fallback: 16 });
  const seconds = wholeSeconds(values.duration, 10);
  const namespace = checkNamespace(values.namespace) ?? 'calibrate';
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const secrets = databaseUrl ? secretsOf(databaseUrl) : [];
  const log = values.json || !o.tty ? undefined : (l: string) => o.err(l);
  try {
    const c = await calibrate({ clients, seconds, databaseUrl, namespace, signal, log });
    o.out(values.json ? JSON.stringify(c, null, 2) : renderCalibration(c));
    return EXIT_OK;
  } catch (e) {
    // pgbench's and Postgres's messages name hosts, never passwords; scrub them anyway
    if (e instanceof Error) e.message = scrub(e.message, secrets);
    if (e instanceof Error && e.stack) e.stack = scrub(e.stack, secrets);
    throw e;
  }
}
