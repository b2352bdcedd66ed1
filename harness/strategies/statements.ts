// The statements several strategies' applications share, as named (prepared) queries: the
// connection (pg or the lean one) prepares each name once and reuses it.
import type { Answer, PgQueryClient, RemoveTarget } from './types.ts';

export const INSERT_ANSWER = `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length)
VALUES ($1, $2, $3, $4) RETURNING id`;

export const DELETE_LATEST_ANSWER = `DELETE FROM user_answers_new
WHERE id = (SELECT id FROM user_answers_new WHERE session_id = $1 ORDER BY id DESC LIMIT 1)
RETURNING id`;

export const READ_USER_STATS = `SELECT total_answers_lifetime AS n FROM user_stats WHERE user_id = $1`;

export async function insertAnswer(c: PgQueryClient, a: Answer): Promise<void> {
  await c.query({ name: 'insert_answer', text: INSERT_ANSWER, values: [a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length] });
}

export async function deleteLatestAnswer(c: PgQueryClient, t: RemoveTarget): Promise<boolean> {
  const r = await c.query({ name: 'delete_latest_answer', text: DELETE_LATEST_ANSWER, values: [t.sessionId] });
  return (r.rowCount ?? 0) > 0;
}

export async function readUserStats(c: PgQueryClient, userId: number): Promise<number> {
  const r = await c.query({ name: 'read_user_stats', text: READ_USER_STATS, values: [userId] });
  return r.rows.length ? Number(r.rows[0].n) : 0;
}

/** The three counters of the analysis, read for the drift check. */
export const COUNTERS = {
  userStats: {
    name: 'user_stats.total_answers_lifetime',
    scope: 'user',
    source: 'postgres',
    sql: 'SELECT user_id AS key, total_answers_lifetime AS value FROM user_stats',
  },
  personality: {
    name: 'digital_personality.total_answers_analyzed',
    scope: 'user',
    source: 'postgres',
    sql: 'SELECT user_id AS key, total_answers_analyzed AS value FROM digital_personality',
  },
  session: {
    name: 'onboarding_sessions.questions_answered',
    scope: 'session',
    source: 'postgres',
    sql: 'SELECT id AS key, questions_answered AS value FROM onboarding_sessions',
  },
} as const;
