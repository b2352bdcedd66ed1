// A load phase: its scenario through the run engine, as `run` would run it alone.
import { runScenario } from '../../run/scenario-run.ts';
import { engineOptions, type PhaseRunner } from '../phase-context.ts';

export const loadPhase: PhaseRunner = async (phase, c) => {
  const r = await runScenario(c.targets, phase.scenario!, { ...engineOptions(phase, c), withBaseline: phase.baseline ?? true });
  return { scenario: phase.scenario, strategies: r.strategies, thresholds: r.run.thresholds };
};
