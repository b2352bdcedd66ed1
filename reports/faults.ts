// A fault in words, the same on the terminal, in summary.md and in report.html: what hit, when,
// and what it cost.
import type { FaultRecord, Results } from '../harness/results/types.ts';

export function faultCost(f: FaultRecord): string[] {
  const c = f.cost;
  return [
    c.downMs === null ? 'never came back in the phase' : c.downMs !== undefined ? `down ${c.downMs} ms` : '',
    c.errors !== undefined ? `${c.errors} failed operation(s)` : '',
    c.appCrashes !== undefined ? `${c.appCrashes} write(s) crashed after the INSERT` : '',
  ].filter(Boolean);
}

export function faultWhen(f: FaultRecord): string {
  return `round ${f.round}, ${(f.tMs / 1000).toFixed(1)} s`;
}

export function describeFault(f: FaultRecord): string {
  const when = faultWhen(f);
  if (!f.happened) return `${f.kind} (${when}): ${f.detail}`;
  const cost = faultCost(f);
  return `${f.kind}${f.injected ? ' (injected)' : ' (suffered)'} at ${when}: ${f.detail}${cost.length ? `; cost: ${cost.join(', ')}` : ''}`;
}

/** Every fault of the run, with its strategy. */
export function allFaults(r: Results): Array<{ strategy: string; fault: FaultRecord }> {
  return r.strategies.flatMap((s) => (s.faults ?? []).map((fault) => ({ strategy: s.id, fault })));
}
