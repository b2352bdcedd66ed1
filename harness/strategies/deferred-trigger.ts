import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { sqlFile } from '../sql.ts';

/** The repaired Migration 007 function as a constraint trigger, DEFERRABLE INITIALLY DEFERRED: it
 *  runs at COMMIT, so the counter rows are locked only while the transaction commits. The load's
 *  writes are one autocommit INSERT each, where that is the same moment; it matters to a
 *  transaction that does more work after its insert. */
export const deferredTrigger = defineStrategy({
  id: 'deferred-trigger',
  title: 'Deferred constraint trigger: counters locked only at COMMIT',
  origin: 'beyond the seed: CREATE CONSTRAINT TRIGGER … DEFERRABLE INITIALLY DEFERRED',
  counters: [COUNTERS.userStats, COUNTERS.session, COUNTERS.personality],
  async deploy(c) {
    await c.query(sqlFile('strategies/trigger-fixed/functions.sql'));
    await c.query(sqlFile('strategies/deferred-trigger/deploy.sql'));
    await c.query(sqlFile('strategies/truncate-zeroes-counters.sql'));
  },
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: true,
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
