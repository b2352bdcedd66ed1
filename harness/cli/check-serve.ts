// `counterbench check --serve`: the health check as a Prometheus exporter (harness/health/exporter.ts).
// Bad input is found before it serves: flags, a port that cannot be had, a database that cannot
// be reached or checked at the start. After that it keeps serving whatever happens to the
// database, until Ctrl-C (or SIGTERM).
import { EXIT_OK, UsageError } from '../errors.ts';
import { parseDurationMs } from '../config/duration.ts';
import { describeUrl } from '../redact.ts';
import { createExporter, type CheckOutcome } from '../health/exporter.ts';
import { resolveDatabaseUrl, safeMessage } from '../health/connect.ts';
import { parseCounterList } from '../health/tables.ts';
import { metricsPort, serveMetrics } from '../metrics/serve.ts';
import { intFlag, parseCommandArgs, withUsageErrors } from './args.ts';

export const DEFAULT_EXPORTER_PORT = 9188;

export const CHECK_SERVE_USAGE = `usage: counterbench check --serve [--port N] [--host ADDR] [--interval 1m] [--incremental [--recent N]]
                         [--database-url URL] [--schema NAME] [--counters a,b] [--json]
  Checks the counters every --interval (default 1m) and serves the result on
  http://ADDR:N/metrics (default 127.0.0.1:${DEFAULT_EXPORTER_PORT}) for Prometheus. Runs until Ctrl-C.
  --incremental  check only the users and sessions of the answers added since the last check
                 (the first check: of the last --recent answers, default 10000), for tables too
                 large to check whole every interval; deletes and users nobody writes to are not seen
  --json         one JSON line per check on stdout instead of a text line
  Exit 2 when the port cannot be had or the first check fails (database unreachable, tables missing).`;

const FLAGS = {
  serve: 'boolean',
  port: 'string',
  host: 'string',
  interval: 'string',
  incremental: 'boolean',
  recent: 'string',
  'database-url': 'string',
  schema: 'string',
  counters: 'string',
  json: 'boolean',
} as const;

interface IO {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

function describe(o: CheckOutcome): string {
  if (!o.ok) return `check FAILED (${o.error}) after ${(o.durationMs / 1000).toFixed(2)} s: ${o.message}`;
  const parts = (o.counters ?? []).filter((k) => k.present).map((k) => `${k.name} ${k.usersInconsistent}/${k.usersChecked} inconsistent`);
  const ids = o.answerIds ? ` (answers ${o.answerIds.after + 1}-${o.answerIds.upTo})` : '';
  return `check ok in ${(o.durationMs / 1000).toFixed(2)} s${ids}: ${parts.join(', ')}`;
}

export function checkServeCommand(argv: string[], io: IO = {}, signal?: AbortSignal): Promise<number> {
  const out = io.out ?? ((t) => void process.stdout.write(t + '\n'));
  const err = io.err ?? ((t) => void process.stderr.write(t + '\n'));
  return withUsageErrors('check', err, async () => {
    const args = parseCommandArgs({ command: 'check', usage: CHECK_SERVE_USAGE, flags: FLAGS }, argv, out);
    if (!args) return EXIT_OK;
    const v = args.values;
    const port = v.port === undefined ? DEFAULT_EXPORTER_PORT : metricsPort('--port', v.port);
    const intervalMs = v.interval === undefined ? 60_000 : parseDurationMs(v.interval, 's');
    if (intervalMs === undefined || intervalMs < 1000) throw new UsageError(`--interval: expected a duration of at least 1s (e.g. 30s, 1m, 1h), got ${JSON.stringify(v.interval)}`);
    if (v.recent !== undefined && !v.incremental) throw new UsageError('--recent: only taken with --incremental');
    const recent = intFlag('--recent', v.recent, { min: 0, fallback: 10_000 });
    const counters = parseCounterList(v.counters);
    const url = resolveDatabaseUrl(v['database-url'], io.env ?? process.env);
    const host = v.host ?? '127.0.0.1';
    const schema = v.schema ?? 'public';
    const exporter = createExporter({ url, schema, counters, intervalMs, incremental: v.incremental ? { recent } : undefined });
    // the port first: it costs nothing to give back, a check may take long
    const server = await serveMetrics(exporter.registry, { host, port, flag: '--port' });
    const log = (o: CheckOutcome) => out(v.json ? JSON.stringify({ at: new Date().toISOString(), ...o }) : `${new Date().toISOString()} ${describe(o)}`);
    try {
      log(await exporter.first());
    } catch (e) {
      await exporter.stop();
      await server.close();
      throw e instanceof UsageError ? new UsageError(safeMessage(e, url)) : e;
    }
    err(`counterbench check: serving ${server.url}, checking ${schema} on ${describeUrl(url)} every ${intervalMs / 1000} s${v.incremental ? ' (incremental)' : ''}`);
    exporter.start(log);
    await new Promise<void>((resolve) => {
      if (!signal || signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await exporter.stop();
    await server.close();
    return EXIT_OK;
  });
}
