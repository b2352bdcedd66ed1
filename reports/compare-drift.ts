// Drift compared against what the ledger explains, not as a percentage of keys exact: for a
// strategy whose counters drift by design under the load, that percentage follows how many
// deletes and same-user collisions the run happened to have. What counts:
//  - an exact strategy (every counter matched) that is no longer exact: always a regression;
//  - increments lost where A lost none;
//  - increments extra beyond the acknowledged deletes (a counter that ignores deletes is that many
//    too high by design) where A had none beyond them.
// Drift in both runs, of the same kind, is shown as a rate per acknowledged write, not judged.
import type { CounterDrift, DriftResult } from '../harness/results/types.ts';

export type DriftVerdict = 'regression' | 'improvement' | 'unchanged' | 'not judged';

export interface DriftChange {
  strategy: string;
  /** the counter, e.g. user_stats.total_answers_lifetime */
  counter: string;
  a: DriftFigures;
  b: DriftFigures;
  verdict: DriftVerdict;
  /** what changed, in words */
  reason: string;
}

export interface DriftFigures {
  exact: boolean;
  lost: number;
  extra: number;
  /** extra increments the acknowledged deletes do not explain */
  extraBeyondDeletes: number;
  acknowledgedInserts: number;
  acknowledgedDeletes: number;
  consistencyPct: number;
}

function figures(d: DriftResult, c: CounterDrift): DriftFigures {
  const deletes = d.ledger?.acknowledgedDeletes ?? 0;
  return {
    exact: c.usersInconsistent === 0 && c.lost === 0 && c.extra === 0,
    lost: c.lost,
    extra: c.extra,
    extraBeyondDeletes: Math.max(0, c.extra - deletes),
    acknowledgedInserts: d.ledger?.acknowledgedInserts ?? 0,
    acknowledgedDeletes: deletes,
    consistencyPct: c.consistencyPct,
  };
}

const perThousand = (n: number, of: number): string => (of > 0 ? `${((n / of) * 1000).toPrecision(3)} per 1000 writes` : `${n}`);

function judge(a: DriftFigures, b: DriftFigures): { verdict: DriftVerdict; reason: string } {
  if (a.exact && !b.exact) {
    const what = [b.lost ? `${b.lost} lost` : '', b.extra ? `${b.extra} extra` : ''].filter(Boolean).join(', ') || `${100 - b.consistencyPct} % of keys off`;
    return { verdict: 'regression', reason: `was exact, now is not (${what})` };
  }
  if (a.lost === 0 && b.lost > 0) return { verdict: 'regression', reason: `loses increments (${b.lost}, ${perThousand(b.lost, b.acknowledgedInserts)}) where A lost none` };
  if (a.extraBeyondDeletes === 0 && b.extraBeyondDeletes > 0) {
    return { verdict: 'regression', reason: `${b.extraBeyondDeletes} extra increments beyond the ${b.acknowledgedDeletes} acknowledged deletes, where A had none beyond them` };
  }
  if (!a.exact && b.exact) return { verdict: 'improvement', reason: 'exact now' };
  if (a.lost > 0 && b.lost === 0) return { verdict: 'improvement', reason: 'loses no increments now' };
  if (a.exact && b.exact) return { verdict: 'unchanged', reason: 'exact in both' };
  const parts: string[] = [];
  if (a.lost || b.lost) parts.push(`lost ${perThousand(a.lost, a.acknowledgedInserts)} → ${perThousand(b.lost, b.acknowledgedInserts)}`);
  if (a.extra || b.extra) parts.push(`extra ${a.extra} of ${a.acknowledgedDeletes} deletes → ${b.extra} of ${b.acknowledgedDeletes}`);
  return { verdict: 'not judged', reason: `drifts in both runs, as the load makes it (${parts.join('; ')})` };
}

/** One change per counter both runs checked. */
export function driftChanges(strategy: string, a: DriftResult | undefined, b: DriftResult | undefined): DriftChange[] {
  if (!a || !b) return [];
  const out: DriftChange[] = [];
  for (const ca of a.counters) {
    const cb = b.counters.find((c) => c.name === ca.name);
    if (!cb) continue;
    const fa = figures(a, ca);
    const fb = figures(b, cb);
    out.push({ strategy, counter: ca.name, a: fa, b: fb, ...judge(fa, fb) });
  }
  return out;
}
