import { defineStrategy } from './types.ts';
import { ascending } from './batch-counts.ts';
import { COUNTERS, INSERT_ANSWER, DELETE_LATEST_ANSWER, readUserStats } from './statements.ts';

const BUMP_SESSION = 'UPDATE onboarding_sessions SET questions_answered = questions_answered + $2 WHERE id = $1';
const BUMP_STATS = 'UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + $2, updated_at = now() WHERE user_id = $1';
const BUMP_PERSONALITY =
  'UPDATE digital_personality SET total_answers_analyzed = total_answers_analyzed + $2, last_updated = now() WHERE user_id = $1';

/** Variant 1: the DAO's INSERT, then one UPDATE ... + 1 per counter, each its own autocommit
 *  statement as the app ran them (no transaction around them). */
export const manualUpdate = defineStrategy({
  id: 'manual-update',
  title: 'Manual UPDATE after INSERT (variant 1)',
  origin: 'seed: variant 1',
  multiStatement: true,
  counters: [COUNTERS.userStats, COUNTERS.session, COUNTERS.personality],
  readsCounter: true,
  async deploy() {},
  async backfill() {},
  async write(c, a) {
    await c.pg.query({ name: 'mu_insert', text: INSERT_ANSWER, values: [a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length] });
    c.crashPoint?.();
    await c.pg.query({ name: 'mu_session', text: BUMP_SESSION, values: [a.sessionId, 1] });
    await c.pg.query({ name: 'mu_stats', text: BUMP_STATS, values: [a.userId, 1] });
    await c.pg.query({ name: 'mu_personality', text: BUMP_PERSONALITY, values: [a.userId, 1] });
  },
  // the batch's counts added in the batch's own transaction, sessions and users in key order
  batch: {
    kind: 'application',
    when: 'in-transaction',
    async count(c, b) {
      for (const [id, n] of ascending(b.bySession)) await c.pg.query({ name: 'mu_session', text: BUMP_SESSION, values: [id, n] });
      for (const [id, n] of ascending(b.byUser)) {
        await c.pg.query({ name: 'mu_stats', text: BUMP_STATS, values: [id, n] });
        await c.pg.query({ name: 'mu_personality', text: BUMP_PERSONALITY, values: [id, n] });
      }
    },
  },
  read: (c, userId) => readUserStats(c.pg, userId),
  async remove(c, t) {
    const r = await c.pg.query({ name: 'mu_delete', text: DELETE_LATEST_ANSWER, values: [t.sessionId] });
    if (!r.rowCount) return false;
    await c.pg.query({ name: 'mu_session', text: BUMP_SESSION, values: [t.sessionId, -1] });
    await c.pg.query({ name: 'mu_stats', text: BUMP_STATS, values: [t.userId, -1] });
    await c.pg.query({ name: 'mu_personality', text: BUMP_PERSONALITY, values: [t.userId, -1] });
    return true;
  },
});
