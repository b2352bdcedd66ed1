// Which user the next operation touches. Tables are built once per picker so that a draw costs
// one or two uniform numbers and, for zipfian, a binary search: nothing is allocated per draw.
import type { KeyDistribution } from '../config/types.ts';
import type { Rng } from './rng.ts';

/** generalized harmonic number H(n, s) = sum over r = 1..n of 1 / r^s */
export function harmonic(n: number, s: number): number {
  let h = 0;
  // smallest terms first, for accuracy
  for (let r = n; r >= 1; r--) h += 1 / Math.pow(r, s);
  return h;
}

/** cumulative probability of ranks 1..r at index r-1; the last entry is exactly 1 */
function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let r = 1; r <= n; r++) {
    acc += 1 / Math.pow(r, s);
    cdf[r - 1] = acc;
  }
  for (let i = 0; i < n; i++) cdf[i] /= acc;
  cdf[n - 1] = 1;
  return cdf;
}

/**
 * A picker returning user ids 1..users. Zipfian: rank r is user r, so user 1 is the hottest.
 * Hot set: a share `hotShare` of draws falls uniformly on users 1..hotUsers and the rest uniformly
 * on the other users, so the hot users receive exactly `hotShare` of the operations.
 */
export function createKeyPicker(dist: KeyDistribution, users: number, rng: Rng): () => number {
  if (!Number.isInteger(users) || users < 1) throw new RangeError(`users must be an integer >= 1, got ${users}`);
  switch (dist.kind) {
    case 'uniform':
      return () => 1 + Math.floor(rng.next() * users);
    case 'zipfian': {
      const cdf = zipfCdf(users, dist.exponent);
      const last = users - 1;
      return () => {
        const u = rng.next();
        // first index whose cumulative probability exceeds u
        let lo = 0;
        let hi = last;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cdf[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        return lo + 1;
      };
    }
    case 'hotset': {
      const hot = Math.min(Math.max(1, Math.floor(dist.hotUsers)), users);
      const cold = users - hot;
      const share = cold === 0 ? 1 : dist.hotShare;
      return () => {
        const u = rng.next();
        if (u < share) return 1 + Math.floor((u / share) * hot);
        const i = Math.floor(((u - share) / (1 - share)) * cold);
        return hot + 1 + (i < cold ? i : cold - 1);
      };
    }
  }
}
