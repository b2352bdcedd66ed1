// `counterbench run`: the main job.
import { loadScenario } from '../config/scenario.ts';
import { run } from '../run/runner.ts';
import { renderSummary } from './summary.ts';
import { progressLine } from './progress.ts';
import { EXIT_FAILED_CHECK, EXIT_OK } from '../errors.ts';
import { parseCommandArgs } from './args.ts';
import { prepareOutDir, writeReportsAfterRun } from './out-dir.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { thresholdsFailed } from '../results/thresholds.ts';
import type { Output } from './output.ts';
import { UsageError } from '../errors.ts';
import { loadSuiteIfSuite } from '../suite/suite-file.ts';
import { runSuite } from '../suite/suite.ts';
import { renderSuiteSummary } from './suite-summary.ts';
import { RunMetrics } from '../metrics/run-metrics.ts';
import { metricsPort, serveMetrics, type MetricsServer } from '../metrics/serve.ts';
import { renderVersionsSummary } from './versions-summary.ts';
import { parseTarget } from '../run/target-spec.ts';
import { parseMatrix, runMatrix, versionThresholdFailures } from '../run/matrix.ts';
import { checkContainerSettings } from '../provision/container-settings.ts';

export const RUN_USAGE = `usage: counterbench run [--scenario NAME|PATH] [--strategies a,b] [--out DIR] [--json]
                       [--clients N] [--rate N] [--duration S] [--users N] [--workers N] [--keep]
                       [--metrics-port N [--metrics-host ADDR]]
                       [--target docker:IMAGE[,docker:IMAGE]] [--matrix IMAGE,IMAGE,...]

  --scenario    a built-in scenario name (see 'counterbench list') or a scenario file
  --strategies  comma-separated strategy ids, overriding the scenario's
  --out         directory for results.json and the reports (default out/<run-id>)
  --json        print results.json on stdout, no progress and no table
  --clients, --rate, --duration, --users   override the scenario's load and data
  --workers     worker threads the load's clients run in (default 1: the main thread)
  --keep        leave the counterbench_* schemas in place after the run
  --metrics-port  serve Prometheus metrics on http://ADDR:N/metrics while the run lasts
                (the analysis's four metrics and counterbench's own, labelled by strategy;
                a load.via http turn feeds drift, lock waits and jobs, not the insert latency
                histogram or the operation counts: autocannon's figures come at its end)
  --metrics-host  the address to listen on (default 127.0.0.1)
  --target      servers in containers, started through testcontainers and removed at exit:
                docker:postgres:16 for the Postgres, docker:redis:7 for the Redis, or both
  --matrix      the same scenario on each Postgres image in turn (e.g. postgres:15,postgres:17),
                one report across the versions
DATABASE_URL names the Postgres to use (default: an embedded one); REDIS_URL the Redis.
COUNTERBENCH_IMAGES=postgres:15=LOCAL_IMAGE,... maps image names to local images;
COUNTERBENCH_CONTAINER_CPUS, COUNTERBENCH_CONTAINER_MEMORY limit the containers;
COUNTERBENCH_CONTAINER_TIMEOUT (seconds, default 60) is how long a server gets to answer.`;

const RUN_FLAGS = {
  scenario: 'string',
  strategies: 'string',
  out: 'string',
  json: 'boolean',
  clients: 'string',
  rate: 'string',
  duration: 'string',
  users: 'string',
  workers: 'string',
  keep: 'boolean',
  namespace: 'string',
  'metrics-port': 'string',
  'metrics-host': 'string',
  target: 'string',
  matrix: 'string',
} as const;

async function startRunMetrics(portFlag: string | undefined, host: string | undefined): Promise<{ metrics: RunMetrics; server: MetricsServer } | undefined> {
  if (portFlag === undefined) {
    if (host !== undefined) throw new UsageError('--metrics-host: only taken with --metrics-port');
    return undefined;
  }
  const port = metricsPort('--metrics-port', portFlag);
  const metrics = new RunMetrics();
  const server = await serveMetrics(metrics.registry, { host: host ?? '127.0.0.1', port, flag: '--metrics-port' });
  return { metrics, server };
}

export async function runCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const args = parseCommandArgs({ command: 'run', usage: RUN_USAGE, flags: RUN_FLAGS }, argv, o.out);
  if (!args) return EXIT_OK;
  const { values } = args;
  const suite = values.scenario === undefined ? undefined : loadSuiteIfSuite(values.scenario);
  if (suite) {
    // each phase sets its own load and strategies: one flag cannot mean the same in all of them
    for (const flag of ['clients', 'rate', 'duration', 'users', 'workers', 'strategies'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag}: not taken with a suite (${values.scenario} sets each phase's load and strategies in its file)`);
    }
  }
  const scenario = suite ? undefined : loadScenario(values.scenario, {
    clients: values.clients,
    rate: values.rate,
    duration: values.duration,
    users: values.users,
    workers: values.workers,
    strategies: values.strategies,
  });
  const namespace = checkNamespace(values.namespace);
  const target = parseTarget(values.target);
  const matrix = values.matrix === undefined ? undefined : parseMatrix(values.matrix);
  if (matrix && target.postgresImage) throw new UsageError(`--matrix and a Postgres in --target (${target.postgresImage}): the matrix names the Postgres images; --target may give only the Redis`);
  if (matrix && suite) throw new UsageError(`--matrix: not taken with a suite (${values.scenario}); run the suite once per version with --target docker:IMAGE`);
  // a docker: target's settings, checked before anything is provisioned
  if (target.postgresImage || target.redisImage || matrix) checkContainerSettings(process.env);
  // Before anything is provisioned: a port in use is bad input, and nothing may be left behind.
  const metrics = await startRunMetrics(values['metrics-port'], values['metrics-host']);
  if (metrics) o.err(`counterbench run: metrics on ${metrics.server.url}`);
  // Before anything is provisioned: an unusable --out found after the run would lose all of it.
  const out = await prepareOutDir(values.out ?? 'out', values.out ? '--out' : 'out/ (the default --out)').catch(async (e) => {
    await metrics?.server.close();
    throw e;
  });
  const progress = progressLine(values.json ? { ...o, tty: false } : o);
  const note = values.json ? () => {} : (l: string) => (o.tty ? o.err(l) : undefined);
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    const common = {
      outDir: values.out,
      databaseUrl: process.env.DATABASE_URL || undefined,
      target,
      keep: values.keep,
      namespace,
      signal,
      log: (l: string) => {
        progress.done();
        note(l);
      },
      warn: (l: string) => {
        progress.done();
        o.err(`counterbench run: ${l}`);
      },
      onProgress: (id: string, round: number, s: Parameters<typeof progress.update>[2]) => progress.update(id, round, s),
      metrics: metrics?.metrics,
    };
    outcome = suite
      ? await runSuite({ ...common, suite, plan: (text) => (values.json ? undefined : o.err(text)) })
      : matrix
        ? await runMatrix({ ...common, scenario: scenario!, images: matrix })
        : await run({ ...common, scenario: scenario! });
  } catch (e) {
    await out.removeIfUnused();
    throw e;
  } finally {
    await metrics?.server.close();
  }
  progress.done();
  const files = await writeReportsAfterRun('run', outcome, o);
  if (values.json) o.out(JSON.stringify(outcome.results, null, 2));
  else {
    o.out(renderSummary(outcome.results));
    if (outcome.results.suite) o.out(renderSuiteSummary(outcome.results));
    if (outcome.results.versions) o.out(renderVersionsSummary(outcome.results));
    o.out(`\nresults: ${outcome.resultsPath}`);
    for (const f of files) o.out(`report:  ${f}`);
  }
  // Drift is a finding of the run, not a failure of it: the scenario's thresholds decide, as in
  // k6 (a consistency threshold such as "drift.consistencyPct == 100" makes it one).
  // a strategy that failed to deploy or to run measured nothing: the run did not do its job
  // a matrix's own strategies are its first version's: its entries say each version's failures
  const failed = outcome.results.versions ? [] : outcome.results.strategies.filter((s) => s.status === 'failed');
  // a suite's phase that broke, or a strategy that failed in any phase, is a run that did not do its job
  const phasesFailed = (outcome.results.suite?.phases ?? []).filter((p) => p.status === 'failed' || (p.strategies ?? []).some((s) => s.status === 'failed'));
  for (const p of phasesFailed) o.err(`counterbench run: phase ${p.name} failed: ${p.reason ?? (p.strategies ?? []).filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.reason?.split('\n')[0]}`).join('; ')}`);
  // the reasons go to stderr with the verdict, not only into the table on stdout
  for (const s of failed) o.err(`counterbench run: ${s.id} failed: ${s.reason?.split('\n')[0] ?? 'no reason recorded'}`);
  // a matrix entry that failed is failed for its version only; the run did not do all its job
  const versionsFailed = (outcome.results.versions?.entries ?? []).filter((e) => e.status === 'failed' || (e.strategies ?? []).some((s) => s.status === 'failed'));
  for (const e of versionsFailed) o.err(`counterbench run: ${e.image} failed: ${e.reason ?? (e.strategies ?? []).filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.reason?.split('\n')[0]}`).join('; ')}`);
  // a matrix's run.thresholds are its first version's: each version is judged on its own
  const versionThresholds = versionThresholdFailures(outcome.results.versions?.entries ?? []);
  for (const line of versionThresholds) o.err(`counterbench run: ${line}`);
  const thresholdsBroken = outcome.results.versions ? versionThresholds.length > 0 : thresholdsFailed(outcome.results.run.thresholds ?? []);
  return failed.length || phasesFailed.length || versionsFailed.length || thresholdsBroken ? EXIT_FAILED_CHECK : EXIT_OK;
}
