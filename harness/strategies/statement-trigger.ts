import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { sqlFile } from '../sql.ts';

/** FOR EACH STATEMENT triggers with transition tables: one trigger run per statement, one UPSERT
 *  per user in user_id order. A multi-row INSERT or DELETE pays for each user once, not for each
 *  row; the load here writes one row per statement. */
export const statementTrigger = defineStrategy({
  id: 'statement-trigger',
  title: 'Statement-level triggers with transition tables',
  origin: 'beyond the seed: PostgreSQL 10+ transition tables (REFERENCING NEW/OLD TABLE)',
  counters: [COUNTERS.userStats, COUNTERS.session, COUNTERS.personality],
  async deploy(c) {
    await c.query(sqlFile('strategies/statement-trigger/deploy.sql'));
    await c.query(sqlFile('strategies/truncate-zeroes-counters.sql'));
  },
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: true,
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
