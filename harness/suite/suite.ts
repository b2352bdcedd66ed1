// A suite run: the servers opened once (the namespace's lock held throughout), then each phase in
// turn, each deploying its own schemas and dropping them before the next starts, so the server
// never holds two phases at once. A phase that breaks is recorded with its reason and the others
// still run; the claims are then decided, each from its phase; one results.json holds it all.
import path from 'node:path';
import type { Results, SuitePhaseResult, SuiteResult } from '../results/types.ts';
import { SCHEMA_VERSION } from '../results/types.ts';
import { strategyById } from '../strategies/index.ts';
import { newRunId } from '../run/run-id.ts';
import { openTargets, type Targets } from '../run/targets.ts';
import { writeResultsFile } from '../run/write-results.ts';
import { evaluateThresholds } from '../results/thresholds.ts';
import type { RunOptions, RunOutcome } from '../run/runner.ts';
import type { InterleavingResult } from '../results/types.ts';
import type { PhaseContext, PhaseOutput, PhaseRunner } from './phase-context.ts';
import type { Suite, SuitePhaseSpec } from './types.ts';
import { estimatePhaseMs, renderPlan } from './plan.ts';
import { decideSuiteClaims } from './claims.ts';
import { loadPhase } from './phases/load.ts';
import { interleavePhase } from './phases/interleave.ts';
import { refreshPhase } from './phases/refresh.ts';
import { doubleIncrementPhase } from './phases/double-increment.ts';
import { slowInsertsPhase } from './phases/slow-inserts.ts';
import { bypassPhase } from './phases/bypass.ts';
import { batchPhase } from './phases/batch.ts';

/** A run's options, with a suite in place of the scenario. */
export interface SuiteOptions extends Omit<RunOptions, 'scenario' | 'afterDeploy'> {
  suite: Suite;
  /** the phase plan with its estimates, before anything starts */
  plan?: (text: string) => void;
}

const RUNNERS: Record<Exclude<SuitePhaseSpec['kind'], 'interleave'>, PhaseRunner> = {
  load: loadPhase,
  refresh: refreshPhase,
  'double-increment': doubleIncrementPhase,
  'slow-inserts': slowInsertsPhase,
  bypass: bypassPhase,
  batch: batchPhase,
};

function needsRedis(suite: Suite): boolean {
  return suite.phases.some((p) => (p.scenario?.strategies ?? p.strategies ?? []).some((id) => strategyById(id)?.needsRedis));
}

export async function runSuite(o: SuiteOptions): Promise<RunOutcome> {
  const suite = o.suite;
  const log = o.log ?? (() => {});
  const warn = o.warn ?? log;
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  const estimates = suite.phases.map(estimatePhaseMs);
  o.plan?.(renderPlan(suite, estimates));
  const phases: SuitePhaseResult[] = suite.phases.map((p, i) => ({ name: p.name, kind: p.kind, title: p.title, decides: p.decides, status: 'not-run', estimateMs: estimates[i] }));
  let interleavings: InterleavingResult[] | undefined;
  let targets: Targets | undefined;
  try {
    targets = await openTargets({ databaseUrl: o.databaseUrl, target: o.target, env: o.env ?? process.env, namespace: o.namespace, needsRedis: needsRedis(suite), log, warn });
    const c: PhaseContext = { targets, runId, startedAt, namespace: o.namespace, keep: o.keep, signal: o.signal, log, warn, onProgress: o.onProgress, metrics: o.metrics };
    for (const [i, spec] of suite.phases.entries()) {
      const r = phases[i];
      if (o.signal?.aborted) {
        r.reason = 'interrupted (Ctrl-C) before its turn';
        continue;
      }
      log(`phase ${i + 1}/${suite.phases.length}: ${spec.name} (${spec.kind})`);
      r.startedAt = new Date().toISOString();
      const t0 = Date.now();
      try {
        // a server that went away in the last phase gets its chance to come back here
        await targets.admin.get();
        let out: PhaseOutput;
        if (spec.kind === 'interleave') {
          interleavings = [...(interleavings ?? []), ...(await interleavePhase(spec, c))];
          out = {};
        } else {
          out = await RUNNERS[spec.kind](spec, c);
        }
        Object.assign(r, out);
        r.status = o.signal?.aborted ? 'interrupted' : 'ok';
        if (r.status === 'interrupted') r.reason = 'interrupted (Ctrl-C): figures cover the part that ran';
      } catch (e) {
        r.status = o.signal?.aborted ? 'interrupted' : 'failed';
        r.reason = (e as Error).message.split('\n')[0];
        warn(`phase ${spec.name} failed: ${r.reason}`);
      }
      r.durationMs = Date.now() - t0;
    }
    const main = phases.find((p) => p.name === suite.main);
    const mainScenario = main?.scenario ?? suite.phases.find((p) => p.scenario)!.scenario!;
    const suiteResult: SuiteResult = { name: suite.name, description: suite.description, main: suite.main, estimateMs: estimates.reduce((a, b) => a + b, 0), phases };
    const thresholds = phases.flatMap((p) => (p.thresholds ?? []).map((t) => ({ ...t, strategy: `${p.name}/${t.strategy}` })));
    const results: Results = {
      schemaVersion: SCHEMA_VERSION,
      run: {
        id: runId,
        startedAt,
        finishedAt: new Date().toISOString(),
        interrupted: o.signal?.aborted || undefined,
        scenario: { ...mainScenario, name: suite.name, description: suite.description },
        environment: targets.environment,
        thresholds: thresholds.length ? thresholds : evaluateThresholds([], []),
      },
      strategies: main?.strategies ?? [],
      ...(interleavings ? { interleavings } : {}),
      suite: suiteResult,
    };
    results.claims = decideSuiteClaims(results);
    const written = writeResultsFile(results, outDir);
    if (written.fallback) warn(written.fallback);
    return { results, resultsPath: written.path, outDir: path.dirname(written.path) };
  } finally {
    await targets?.stop();
  }
}
