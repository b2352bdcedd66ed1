// What every phase of a suite runs with: the suite's servers (opened once, the namespace's lock
// held for the whole suite), where its schemas and Redis keys go, and how it reports progress.
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { Targets } from '../run/targets.ts';
import type { LiveStats } from '../load/driver.ts';
import type { ScenarioRunOptions } from '../run/scenario-run.ts';
import type { SuitePhaseResult } from '../results/types.ts';
import type { SuitePhaseSpec } from './types.ts';

export interface PhaseContext {
  targets: Targets;
  runId: string;
  startedAt: string;
  /** the run's namespace: schemas counterbench_<namespace>_<id>, dropped at the end of each phase */
  namespace?: string;
  keep?: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
  warn: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
  /** the run's /metrics (run --metrics-port) */
  metrics?: RunMetrics;
}

/** What a phase adds to its entry in results.json (status, timing and the spec are the suite's). */
export type PhaseOutput = Partial<Omit<SuitePhaseResult, 'name' | 'kind' | 'title' | 'decides' | 'status' | 'estimateMs' | 'startedAt' | 'durationMs'>>;

export type PhaseRunner = (phase: SuitePhaseSpec, c: PhaseContext) => Promise<PhaseOutput>;

/** The run engine's options for one phase: its Redis keys under a tag of its own, so that two
 *  phases of one strategy never share a key. */
export function engineOptions(phase: SuitePhaseSpec, c: PhaseContext): ScenarioRunOptions {
  return {
    runId: c.runId,
    startedAt: c.startedAt,
    namespace: c.namespace,
    redisTag: `${c.runId}-${phase.name}`,
    keep: c.keep,
    signal: c.signal,
    log: c.log,
    warn: c.warn,
    onProgress: c.onProgress,
    metrics: c.metrics,
  };
}
