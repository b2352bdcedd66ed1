// The health tool (`counterbench check` and `repair`, harness/health) run on a phase's schema,
// with what it reported kept as the results contract's snapshots: the problem phases show what
// an operator running the analysis's own tool would have seen and what its repair restored.
import type pg from 'pg';
import { applyRepair, checkCounters, COUNTERS, type CounterDef } from '../health/index.ts';
import type { CheckSnapshot, RepairSnapshot } from '../results/types.ts';
import type { Strategy } from '../strategies/types.ts';

/** The tool's counters, when every counter of the strategy is one of them, kept where the tool
 *  looks for it; empty otherwise (slots, a ledger beside user_stats, a view, Redis): a repair of
 *  user_stats alone would then make what the strategy reads wrong. */
export function healthCounters(s: Strategy): CounterDef[] {
  const defs = s.counters.map((k) => COUNTERS.find((def) => k.source === 'postgres' && k.name === def.name));
  return s.counters.length && defs.every((d) => d !== undefined) ? (defs as CounterDef[]) : [];
}

export async function checkSnapshot(c: pg.Client, schema: string, counters: readonly CounterDef[] = COUNTERS): Promise<CheckSnapshot> {
  const r = await checkCounters(c, schema, { counters, examples: 0 });
  const checked = r.counters.filter((k) => k.present);
  return {
    consistent: r.consistent,
    counters: checked.map((k) => ({
      name: k.name,
      usersChecked: k.usersChecked,
      usersInconsistent: k.usersInconsistent,
      lost: k.lost,
      extra: k.extra,
      sumCounter: k.sumCounter,
      sumTruth: k.sumTruth,
    })),
  };
}

export async function repairSnapshot(c: pg.Client, schema: string, counters: readonly CounterDef[] = COUNTERS): Promise<RepairSnapshot> {
  const r = await applyRepair(c, schema, { counters });
  return {
    fixed: r.fixed,
    counters: r.counters.filter((k) => k.present).map((k) => ({ name: k.name, updated: k.updated, inserted: k.inserted })),
    lockHeldMs: r.lockHeldMs,
  };
}
