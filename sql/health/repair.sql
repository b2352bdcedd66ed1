-- The repair `counterbench repair` performs, as a plain script for a DBA's psql session:
--   PGOPTIONS='-c search_path=<schema>' psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/health/repair.sql
-- It assumes all five Selfology tables; the command also copes with absent counter tables and
-- reports what it changed, so prefer it.
--
-- Why the LOCK: under READ COMMITTED, `UPDATE ... SET c = (SELECT count(*) ...)` races with an
-- insert whose trigger has incremented the counter row but not yet committed: the UPDATE waits for
-- the row, re-checks it, and writes a count from its older snapshot, losing that increment. SHARE
-- mode waits for every in-flight writer of answers to commit and holds new ones back until COMMIT,
-- so each statement below sees a truth that cannot move. Inserts stall while this runs; the
-- lock_timeout makes it give up rather than queue the application behind a long transaction.
BEGIN ISOLATION LEVEL READ COMMITTED;
SET LOCAL lock_timeout = '10s';
LOCK TABLE user_answers_new IN SHARE MODE;

-- Users with answers but no user_stats row get one (a missing row is a counter of 0).
INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at)
SELECT t.user_id, t.n, t.first_at
  FROM (SELECT s.user_id, count(*) AS n, min(a.answered_at) AS first_at
          FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id
         GROUP BY s.user_id) t
 WHERE NOT EXISTS (SELECT 1 FROM user_stats us WHERE us.user_id = t.user_id)
ON CONFLICT DO NOTHING;

UPDATE user_stats us SET total_answers_lifetime = x.n
  FROM (SELECT u.user_id, coalesce(t.n, 0) AS n
          FROM user_stats u
          LEFT JOIN (SELECT s.user_id, count(*) AS n
                       FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id
                      GROUP BY s.user_id) t ON t.user_id = u.user_id) x
 WHERE us.user_id = x.user_id AND us.total_answers_lifetime IS DISTINCT FROM x.n;

-- A missing profile row is not created: digital_personality carries more than a counter.
UPDATE digital_personality dp SET total_answers_analyzed = x.n
  FROM (SELECT d.user_id, coalesce(t.n, 0) AS n
          FROM digital_personality d
          LEFT JOIN (SELECT s.user_id, count(*) AS n
                       FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id
                      GROUP BY s.user_id) t ON t.user_id = d.user_id) x
 WHERE dp.user_id = x.user_id AND dp.total_answers_analyzed IS DISTINCT FROM x.n;

UPDATE onboarding_sessions os SET questions_answered = x.n
  FROM (SELECT s.id, coalesce(t.n, 0) AS n
          FROM onboarding_sessions s
          LEFT JOIN (SELECT session_id, count(*) AS n FROM user_answers_new GROUP BY session_id) t
                 ON t.session_id = s.id) x
 WHERE os.id = x.id AND os.questions_answered IS DISTINCT FROM x.n;

COMMIT;
