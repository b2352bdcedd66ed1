// A strategy that exists only for the interleaving tests: a plain object implementing the strategy
// contract, as every strategy is.
import type { Strategy } from '../../harness/strategies/types.ts';
import { COUNTERS, DELETE_LATEST_ANSWER, INSERT_ANSWER, readUserStats } from '../../harness/strategies/statements.ts';

/** Its write locks user_stats then digital_personality; its delete the other way round: two
 *  transactions that each took their first lock deadlock on the second. */
export const oppositeOrder: Strategy = {
  id: 'test-opposite-order',
  title: 'Locks in opposite orders (test double)',
  origin: 'test',
  multiStatement: true,
  counters: [COUNTERS.userStats, COUNTERS.personality],
  readsCounter: true,
  async deploy() {},
  async backfill() {},
  async write(c, a) {
    await c.pg.query(
      `WITH a AS (${INSERT_ANSWER}) UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + (SELECT count(*) FROM a) WHERE user_id = $5`,
      [a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length, a.userId],
    );
    await c.pg.query('UPDATE digital_personality SET total_answers_analyzed = total_answers_analyzed + 1 WHERE user_id = $1', [a.userId]);
  },
  batch: { kind: 'none', reason: 'a test double for interleavings' },
  read: (c, userId) => readUserStats(c.pg, userId),
  async remove(c, t) {
    const r = await c.pg.query(
      `WITH d AS (${DELETE_LATEST_ANSWER}) UPDATE digital_personality SET total_answers_analyzed = total_answers_analyzed - (SELECT count(*) FROM d) WHERE user_id = $2 RETURNING (SELECT count(*) FROM d) AS n`,
      [t.sessionId, t.userId],
    );
    if (!Number(r.rows[0]?.n)) return false;
    await c.pg.query('UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime - 1 WHERE user_id = $1', [t.userId]);
    return true;
  },
};
