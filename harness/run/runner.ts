// One whole run: targets, every strategy deployed side by side, rounds of load, the checks,
// results.json. Cleans up after itself whatever happens, and on an abort (Ctrl-C) keeps what
// was measured so far, marked interrupted.
import type { RunMetrics } from '../metrics/run-metrics.ts';
import path from 'node:path';
import type { Scenario } from '../config/types.ts';
import type { Results } from '../results/types.ts';
import { strategyById } from '../strategies/index.ts';
import { newRunId } from './run-id.ts';
import { openTargets, type Targets } from './targets.ts';
import { runScenario, type ScenarioRunOptions } from './scenario-run.ts';
import { writeResultsFile } from './write-results.ts';
import { checkClaims } from '../../reports/claims.ts';
import type { LiveStats } from '../load/driver.ts';
import type { TargetSpec } from './target-spec.ts';

export interface RunOptions {
  scenario: Scenario;
  /** where results.json goes; default out/<run-id> */
  outDir?: string;
  databaseUrl?: string;
  /** servers in containers (`--target docker:IMAGE`) */
  target?: TargetSpec;
  env?: NodeJS.ProcessEnv;
  /** keeps the schemas after the run, for inspection */
  keep?: boolean;
  /** schemas counterbench_<namespace>_<id>: a second run on the same server needs its own */
  namespace?: string;
  signal?: AbortSignal;
  /** human-readable progress lines (stderr on a terminal); never called with --json */
  log?: (line: string) => void;
  /** what the user must know even in --json mode: leftovers, fallbacks */
  warn?: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
  /** the run's /metrics (run --metrics-port) */
  metrics?: RunMetrics;
  /** after every strategy is deployed, before the load: a test changes a deployed schema here
   *  (compare's tests make a strategy costlier or lossy without a strategy of their own) */
  afterDeploy?: ScenarioRunOptions['afterDeploy'];
}

export interface RunOutcome {
  results: Results;
  resultsPath: string;
  outDir: string;
}

export async function run(o: RunOptions): Promise<RunOutcome> {
  const s = o.scenario;
  const log = o.log ?? (() => {});
  const warn = o.warn ?? log;
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  let targets: Targets | undefined;
  try {
    targets = await openTargets({
      databaseUrl: o.databaseUrl,
      target: o.target,
      env: o.env ?? process.env,
      namespace: o.namespace,
      needsRedis: s.strategies.some((id) => strategyById(id)?.needsRedis),
      log,
      warn,
    });
    const results = await runScenario(targets, s, {
      runId, startedAt, namespace: o.namespace, keep: o.keep, signal: o.signal, log, warn, onProgress: o.onProgress, metrics: o.metrics, afterDeploy: o.afterDeploy,
    });
    results.claims = checkClaims(results);
    const written = writeResultsFile(results, outDir);
    if (written.fallback) warn(written.fallback);
    return { results, resultsPath: written.path, outDir: path.dirname(written.path) };
  } finally {
    await targets?.stop();
  }
}
