import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { sqlFile } from '../sql.ts';

/** Variant 2, Migration 004. Its trigger fires on INSERT only: a DELETE leaves the counters
 *  high, which is the analysis's own "Problem 3". */
export const triggerUpsert = defineStrategy({
  id: 'trigger-upsert',
  title: 'Trigger + UPSERT (Migration 004)',
  origin: 'seed: variant 2',
  counters: [COUNTERS.userStats, COUNTERS.session],
  readsCounter: true,
  async deploy(c) {
    await c.query(sqlFile('strategies/trigger-upsert/deploy.sql'));
  },
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  read: (c, userId) => readUserStats(c.pg, userId),
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
