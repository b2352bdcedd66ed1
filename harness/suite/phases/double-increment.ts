// Problem 1 of the analysis, reproduced: Migration 007's trigger is deployed while the
// application still runs its manual UPDATEs (the transition the analysis warns about), so every
// answer is counted twice. The engine drives manual-update's writes over a schema that has 007's
// trigger; `check` then reports every counter at 2x its truth; the manual UPDATE stops (the
// application writes the answer alone, as 007 expects); `repair` sets every counter to its
// truth; and the load goes on through 007's trigger alone, checked again at the end.
import { connectPg } from '../../db/connect.ts';
import { runScenario } from '../../run/scenario-run.ts';
import { goLive, runRounds, type Live } from '../../run/rounds.ts';
import { medianOps } from '../../run/aggregate.ts';
import { productionTrigger } from '../../strategies/production-trigger.ts';
import type { DoubleIncrementStory, StrategyResult } from '../../results/types.ts';
import { checkSnapshot, repairSnapshot } from '../health-tool.ts';
import { engineOptions, type PhaseRunner } from '../phase-context.ts';

export const doubleIncrementPhase: PhaseRunner = async (phase, c) => {
  const s = phase.scenario!;
  const t = c.targets;
  let story: DoubleIncrementStory | undefined;
  let after: StrategyResult | undefined;
  const r = await runScenario(t, s, {
    ...engineOptions(phase, c),
    withBaseline: false,
    afterDeploy: async (entries) => {
      const e = entries[0];
      if (e.result.status !== 'ok') throw new Error(`${e.strategy.id} did not deploy: ${e.result.reason}`);
      // the migration, applied to the live schema under the application that still counts by hand
      const conn = await connectPg(t.pg.url, { schema: e.ctx.schema, applicationName: 'counterbench:migration-007' });
      try {
        await productionTrigger.deploy(conn, e.ctx);
      } finally {
        await conn.end().catch(() => {});
      }
      c.log(`  Migration 007 deployed in ${e.ctx.schema} under ${e.strategy.id}'s writes`);
    },
    afterRounds: async (live) => {
      const e = live[0];
      if (!e || e.result.status !== 'ok') throw new Error(`the load under the migration did not finish: ${e?.result.reason ?? 'nothing ran'}`);
      const conn = await connectPg(t.pg.url, { schema: e.ctx.schema, applicationName: 'counterbench:health' });
      let next: Live | undefined;
      try {
        const check = await checkSnapshot(conn, e.ctx.schema);
        const truth = check.counters.find((k) => k.name === 'user_stats.total_answers_lifetime')?.sumTruth ?? 0;
        c.log(`  check: ${check.counters.map((k) => `${k.name} ${k.sumCounter} for ${k.sumTruth} answers`).join('; ')}`);
        // the manual UPDATE stops first, so nothing doubles what the repair sets
        const repair = await repairSnapshot(conn, e.ctx.schema);
        const afterRepair = await checkSnapshot(conn, e.ctx.schema);
        c.log(`  repair fixed ${repair.fixed} counters; check after it: ${afterRepair.consistent ? 'consistent' : 'still drifting'}`);
        next = await goLive(
          {
            strategy: productionTrigger,
            ctx: e.ctx,
            result: { id: productionTrigger.id, title: `${productionTrigger.title}, after the manual UPDATE stopped`, origin: productionTrigger.origin, status: 'ok', counters: productionTrigger.counters.map((k) => k.name), ops: {} },
          },
          t.pg.url,
          s,
        );
        await runRounds([next], { scenario: s, targets: t, signal: c.signal, log: c.log, onProgress: c.onProgress, metrics: c.metrics });
        next.result.rounds = next.rounds;
        next.result.ops = medianOps(next.rounds);
        after = next.result;
        story = {
          app: e.strategy.id,
          migration: productionTrigger.id,
          transition: { writes: e.ledger.totalInsAcked, truth, check },
          repair,
          afterRepair,
          after: { app: `${productionTrigger.id} (the INSERT alone)`, writes: next.ledger.totalInsAcked, check: await checkSnapshot(conn, e.ctx.schema) },
        };
      } finally {
        await next?.check.end().catch(() => {});
        await conn.end().catch(() => {});
      }
    },
  });
  return { scenario: s, strategies: [...r.strategies, ...(after ? [after] : [])], doubleIncrement: story };
};
