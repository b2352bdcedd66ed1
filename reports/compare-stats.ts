// The statistics behind `compare`: is B's median different from A's, and by how much at most?
//
// A percentile bootstrap of the difference of medians, over independent samples (a run's rounds).
// Chosen over Mann-Whitney U because a gate needs the size of the change with its uncertainty
// (the interval is what the threshold is held against and what a pull request shows), and U only
// says whether the two distributions differ; the bootstrap assumes no shape of distribution, which
// round figures of a loaded machine do not have. It assumes the samples of one run are
// independent draws of the same thing: true of rounds (each a fresh phase in rotating order), not
// of the seconds within one phase, which share that phase's state of the machine.
//
// Resampling uses a seeded generator, so the same two files give the same interval every time.
import { median } from '../harness/run/aggregate.ts';

/** mulberry32: small, fast, and good enough for resampling indexes. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th quantile (0..1) of sorted values, linear between neighbours. */
function quantileSorted(s: ArrayLike<number>, p: number): number {
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

/** Fewer than this many samples on either side and the test cannot decide. At the 99 % of
 *  DEFAULT_CONFIDENCE no test on ranks could call anything with 4 against 4 (Mann-Whitney U's
 *  smallest two-sided p is 2/70 ≈ 0.029; with 5 against 5 it is 2/252 ≈ 0.008), and the
 *  bootstrap median of 4 takes so few distinct values that its interval runs almost from
 *  min(B) − max(A) to max(B) − min(A) (98 % of that span for the p99s of test/compare-stats). */
export const MIN_SAMPLES = 5;

export const DEFAULT_RESAMPLES = 4000;
export const DEFAULT_CONFIDENCE = 0.99;
/** the generator's seed when the caller gives none: results do not depend on the day */
export const DEFAULT_SEED = 15;

export interface MedianDifference {
  /** median(a), median(b) */
  a: number;
  b: number;
  /** median(b) − median(a) */
  delta: number;
  /** the bootstrap interval of median(b*) − median(a*) */
  low: number;
  high: number;
  confidence: number;
  /** the interval excludes 0 */
  significant: boolean;
  n: { a: number; b: number };
}

export type TooFew = { tooFew: true; n: { a: number; b: number }; needs: number };

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/** The difference of the medians of two independent samples with its bootstrap interval, or
 *  tooFew when either side has fewer than MIN_SAMPLES. */
export function bootstrapMedianDifference(a: readonly number[], b: readonly number[], o: BootstrapOptions = {}): MedianDifference | TooFew {
  const n = { a: a.length, b: b.length };
  if (a.length < MIN_SAMPLES || b.length < MIN_SAMPLES) return { tooFew: true, n, needs: MIN_SAMPLES };
  const resamples = o.resamples ?? DEFAULT_RESAMPLES;
  const confidence = o.confidence ?? DEFAULT_CONFIDENCE;
  const rnd = seededRandom(o.seed ?? DEFAULT_SEED);
  // one buffer per side, sorted in place: thousands of resamples per figure, dozens of figures
  const bufA = new Float64Array(a.length);
  const bufB = new Float64Array(b.length);
  const draw = (xs: readonly number[], buf: Float64Array): number => {
    for (let i = 0; i < xs.length; i++) buf[i] = xs[Math.floor(rnd() * xs.length)];
    buf.sort();
    const m = buf.length >> 1;
    return buf.length % 2 ? buf[m] : (buf[m - 1] + buf[m]) / 2;
  };
  const diffs = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) diffs[i] = draw(b, bufB) - draw(a, bufA);
  diffs.sort();
  const tail = (1 - confidence) / 2;
  const low = quantileSorted(diffs, tail);
  const high = quantileSorted(diffs, 1 - tail);
  const ma = median(a);
  const mb = median(b);
  return { a: ma, b: mb, delta: mb - ma, low, high, confidence, significant: low > 0 || high < 0, n };
}

export function isTooFew(r: MedianDifference | TooFew): r is TooFew {
  return (r as TooFew).tooFew === true;
}

/** The five numbers of a box plot (min, quartiles, median, max) of a sample. */
export function fiveNumbers(xs: readonly number[]): { min: number; q1: number; median: number; q3: number; max: number } | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], q1: quantileSorted(s, 0.25), median: quantileSorted(s, 0.5), q3: quantileSorted(s, 0.75), max: s[s.length - 1] };
}
