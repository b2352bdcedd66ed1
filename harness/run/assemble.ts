// results.json from what the rounds left: medians across rounds, ratios to baseline, thresholds.
import type { Scenario } from '../config/types.ts';
import { SCHEMA_VERSION, type Environment, type Results } from '../results/types.ts';
import { evaluateThresholds } from '../results/thresholds.ts';
import { baselineRatios, medianOps } from './aggregate.ts';
import type { Live, Planned } from './rounds.ts';

export interface AssembleInput {
  runId: string;
  startedAt: string;
  scenario: Scenario;
  /** every strategy planned, in order */
  entries: Planned[];
  /** those that were deployed and measured */
  live: Live[];
  environment: Environment;
  interrupted: boolean;
}

export function assembleResults(a: AssembleInput): Results {
  for (const e of a.live) {
    if (!e.rounds.length) continue;
    e.result.rounds = e.rounds;
    e.result.ops = medianOps(e.rounds);
  }
  for (const e of a.entries) {
    if (e.result.status === 'not-run') e.result.reason ??= 'interrupted (Ctrl-C) before it was deployed';
  }
  // an HTTP strategy is compared with baseline through the same path
  const baselineOf = (via: 'http' | undefined) => a.entries.find((e) => e.strategy.id === 'baseline' && e.via === via)?.result;
  for (const e of a.live) if (e.result.rounds && e.strategy.id !== 'baseline') e.result.vsBaseline = baselineRatios(e.result, baselineOf(e.via));
  const strategies = a.entries.map((e) => e.result);
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: a.runId,
      startedAt: a.startedAt,
      finishedAt: new Date().toISOString(),
      interrupted: a.interrupted || undefined,
      scenario: { ...a.scenario, strategies: strategies.map((s) => s.id) },
      environment: a.environment,
      thresholds: evaluateThresholds(a.scenario.thresholds, strategies),
    },
    strategies,
  };
}
