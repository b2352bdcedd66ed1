// What the interleavings prove about a strategy, for the claims of the analysis and the report:
// its shortest failing permutation, which fails every time it is run, or, when none failed, how
// many were tried and what that does and does not cover.
import type { InterleavingOutcomeKind, InterleavingPermutation, InterleavingResult, Results } from '../results/types.ts';
import { outcomeSentence } from './outcome.ts';

export interface InterleavingProof {
  strategy: string;
  /** the spec of the shortest failing permutation; else the one asked for, or null for all */
  spec: string | null;
  /** permutations run over the specs looked at */
  permutationsRun: number;
  /** of those, how many failed */
  failing: number;
  /** the isolation levels the specs ran their transactions at */
  isolation: string[];
  /** the shortest of the most serious failing permutations (a wrong counter, then an error);
   *  on a tie, the earlier spec, then the earlier order */
  shortest?: InterleavingPermutation;
  /** exact permutations in which a reader saw a count off its own snapshot */
  readsOff: number;
  /** one sentence a claim can quote as its evidence */
  evidence: string;
}

export function interleavingsOf(results: Pick<Results, 'interleavings'>, strategy: string): InterleavingResult[] {
  return (results.interleavings ?? []).filter((r) => r.strategy === strategy && r.spec !== null);
}

// A wrong counter outweighs an error: the proof shows the most serious way a strategy fails, in
// as few steps as it takes.
const SERIOUSNESS: Record<InterleavingOutcomeKind, number> = { lost: 0, extra: 0, error: 1, exact: 2 };

/** The shortest of the most serious permutations of the list (failing, or readsOff) among
 *  these results, with the result it belongs to; on a tie, the earlier spec, then the earlier
 *  order. */
export function shortestOf(
  entries: readonly InterleavingResult[],
  list: 'failing' | 'readsOff' = 'failing',
): { entry: InterleavingResult; permutation: InterleavingPermutation } | undefined {
  let best: { entry: InterleavingResult; permutation: InterleavingPermutation } | undefined;
  const rank = (p: InterleavingPermutation) => [SERIOUSNESS[p.outcome.kind], p.steps.length];
  for (const entry of entries) {
    for (const permutation of entry[list] ?? []) {
      if (!best) {
        best = { entry, permutation };
        continue;
      }
      const [a, b] = [rank(permutation), rank(best.permutation)];
      if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) best = { entry, permutation };
    }
  }
  return best;
}

/** "s1 BEGIN, s1 write, s2 BEGIN, …" */
export function describeOrder(p: InterleavingPermutation): string {
  return p.steps.map((s) => `${s.session} ${s.step}`).join(', ');
}

/**
 * The proof for a strategy, over one spec or all of them; undefined when no interleaving of it
 * was run.
 */
export function interleavingProof(results: Pick<Results, 'interleavings'>, strategy: string, spec?: string): InterleavingProof | undefined {
  const entries = interleavingsOf(results, strategy).filter((r) => (spec === undefined || r.spec === spec) && r.permutations.run > 0);
  if (!entries.length) return undefined;
  const permutationsRun = entries.reduce((n, r) => n + r.permutations.run, 0);
  const failing = entries.reduce((n, r) => n + r.permutations.failing, 0);
  const readsOff = entries.reduce((n, r) => n + (r.permutations.readsOff ?? 0), 0);
  const isolation = [...new Set(entries.map((r) => r.isolation))];
  const found = shortestOf(entries);
  if (found) {
    const { entry, permutation } = found;
    return {
      strategy,
      spec: entry.spec,
      permutationsRun,
      failing,
      readsOff,
      isolation,
      shortest: permutation,
      evidence: `${outcomeSentence(permutation.outcome)}: ${describeOrder(permutation)} (spec ${entry.spec}, ${entry.isolation}; ${entry.permutations.failing} of ${entry.permutations.run} permutations of it failed).`,
    };
  }
  const specs = entries.map((r) => r.spec).join(', ');
  const reads = readsOff
    ? ` Every counter ended exact, but in ${readsOff} of them a reader saw a count off what its own snapshot held.`
    : '';
  return {
    strategy,
    spec: spec ?? null,
    permutationsRun,
    failing: 0,
    readsOff,
    isolation,
    evidence:
      `no failing permutation among ${permutationsRun} tried (${specs}; ${isolation.join(', ')}).${reads} ` +
      'That covers only these statements at this isolation level, one user at a time: not other statements, levels or data.',
  };
}

/** The permutation a report draws for a strategy: its proof's shortest failing one, else, where
 *  every counter stayed exact but a reader saw a count off its snapshot, the shortest of those. */
export function permutationToDraw(
  results: Pick<Results, 'interleavings'>,
  strategy: string,
): { entry: InterleavingResult; permutation: InterleavingPermutation; failing: boolean } | undefined {
  const entries = interleavingsOf(results, strategy);
  const failing = shortestOf(entries);
  if (failing) return { ...failing, failing: true };
  const off = shortestOf(entries, 'readsOff');
  return off && { ...off, failing: false };
}
