import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { sqlFile } from '../sql.ts';

/** Migration 007 exactly as the analysis gives it, the recommended "production" solution. */
export const productionTrigger = defineStrategy({
  id: 'production-trigger',
  title: 'Production trigger with advisory lock (Migration 007)',
  origin: 'seed: recommended solution',
  counters: [COUNTERS.userStats, COUNTERS.session, COUNTERS.personality],
  readsCounter: true,
  async deploy(c) {
    await c.query(sqlFile('strategies/production-trigger/deploy.sql'));
    await c.query(sqlFile('health/counter_consistency_check.sql'));
  },
  async backfill(c) {
    await c.pg.query(sqlFile('strategies/production-trigger/backfill.sql'));
  },
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  read: (c, userId) => readUserStats(c.pg, userId),
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
