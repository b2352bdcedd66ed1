// An interleave phase: every order of the specs' steps on real connections
// (harness/interleave), on the suite's servers and under its namespace, whose lock the suite
// holds: the lanes' schemas are counterbench_[<namespace>_]<id>_il<n>.
import { runInterleavings } from '../../interleave/interleave.ts';
import { loadSpecs } from '../../interleave/spec.ts';
import { strategyById } from '../../strategies/index.ts';
import type { InterleavingResult } from '../../results/types.ts';
import type { PhaseContext } from '../phase-context.ts';
import type { SuitePhaseSpec } from '../types.ts';

export async function interleavePhase(phase: SuitePhaseSpec, c: PhaseContext): Promise<InterleavingResult[]> {
  const specs = loadSpecs().filter((s) => !phase.specs || phase.specs.includes(s.id));
  const t = c.targets;
  return runInterleavings(
    { pgUrl: t.pg.url, redisUrl: t.redis?.target.url, redisReason: t.redisReason },
    { strategies: phase.strategies!.map((id) => strategyById(id)!), specs, namespace: c.namespace ?? '', signal: c.signal, log: c.log },
  );
}
