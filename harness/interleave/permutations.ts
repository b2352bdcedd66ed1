// Every order of the sessions' steps that keeps each session's own steps in order, as the
// isolation tester of PostgreSQL runs a spec without a permutation list.

/** How many such orders there are: the multinomial (n1 + n2 + …)! / (n1! n2! …). */
export function countInterleavings(lengths: readonly number[]): number {
  let total = 0;
  let count = 1;
  for (const n of lengths) {
    for (let k = 1; k <= n; k++) {
      total++;
      count = (count * total) / k;
    }
  }
  return Math.round(count);
}

/** Each order as a list of session indexes, the first session's steps first where there is a
 *  choice (so the first orders run the sessions one after another). */
export function* interleavings(lengths: readonly number[]): Generator<number[]> {
  const left = [...lengths];
  const order: number[] = [];
  const total = lengths.reduce((a, b) => a + b, 0);
  function* walk(): Generator<number[]> {
    if (order.length === total) {
      yield [...order];
      return;
    }
    for (let s = 0; s < left.length; s++) {
      if (left[s] === 0) continue;
      left[s]--;
      order.push(s);
      yield* walk();
      order.pop();
      left[s]++;
    }
  }
  yield* walk();
}
