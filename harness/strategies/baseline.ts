import { defineStrategy } from './types.ts';
import { deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';

/** The bare INSERT, no counter: the floor every other strategy's cost is divided by. */
export const baseline = defineStrategy({
  id: 'baseline',
  title: 'Baseline: bare INSERT, no counter',
  origin: 'beyond the seed',
  counters: [],
  async deploy() {},
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  // A point read of a row nobody updates: the cost of any primary-key lookup, not a counter.
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: false,
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
