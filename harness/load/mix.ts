// Which operation comes next, by the scenario's mix weights.
import type { OpName } from '../results/types.ts';
import type { Rng } from './rng.ts';

export type Mix = { write: number; read: number; delete: number };

/** Returns a picker that draws one uniform number per call; zero-weight operations never come. */
export function createOpPicker(mix: Mix, rng: Rng): () => OpName {
  const total = mix.write + mix.read + mix.delete;
  if (!(total > 0) || mix.write < 0 || mix.read < 0 || mix.delete < 0) {
    throw new RangeError(`mix weights must be >= 0 with a sum > 0, got ${JSON.stringify(mix)}`);
  }
  const writeUpTo = mix.write / total;
  const readUpTo = (mix.write + mix.read) / total;
  const hasDelete = mix.delete > 0;
  return () => {
    const u = rng.next();
    if (u < writeUpTo) return 'write';
    // with no deletes, rounding of readUpTo below 1 must not make one appear
    if (u < readUpTo || !hasDelete) return mix.read > 0 ? 'read' : 'write';
    return 'delete';
  };
}
