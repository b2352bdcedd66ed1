import { defineStrategy } from './types.ts';
import { deleteLatestAnswer, insertAnswer } from './statements.ts';

// The analysis's query, verbatim.
const COUNT_ANSWERS = `SELECT COUNT(*)
    FROM user_answers_new ua
    JOIN onboarding_sessions os ON ua.session_id = os.id
    WHERE os.user_id = $1`;

/** Variant 5: nothing stored; every read counts the rows. */
export const countStar = defineStrategy({
  id: 'count-star',
  title: 'COUNT(*) on every read (variant 5)',
  origin: 'seed: variant 5',
  counters: [
    {
      // No stored counter: what a read would show for every user, checked like any counter.
      name: 'count(*) on read',
      scope: 'user',
      source: 'postgres',
      computedOnRead: true,
      sql: `SELECT os.user_id AS key, COUNT(*) AS value
            FROM user_answers_new ua JOIN onboarding_sessions os ON ua.session_id = os.id
            GROUP BY os.user_id`,
    },
  ],
  readsCounter: true,
  async deploy() {},
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  async read(c, userId) {
    const r = await c.pg.query({ name: 'cs_count', text: COUNT_ANSWERS, values: [userId] });
    return Number(r.rows[0].count);
  },
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
