-- Migration 007, step 7: synchronise existing counters with the answers.
UPDATE user_stats us SET total_answers_lifetime = t.n, updated_at = NOW()
FROM (SELECT s.user_id, count(a.id) AS n
      FROM onboarding_sessions s LEFT JOIN user_answers_new a ON a.session_id = s.id
      GROUP BY s.user_id) t
WHERE t.user_id = us.user_id AND us.total_answers_lifetime <> t.n;

UPDATE onboarding_sessions s SET questions_answered = t.n
FROM (SELECT s2.id, count(a.id) AS n
      FROM onboarding_sessions s2 LEFT JOIN user_answers_new a ON a.session_id = s2.id
      GROUP BY s2.id) t
WHERE t.id = s.id AND s.questions_answered <> t.n;

UPDATE digital_personality dp SET total_answers_analyzed = us.total_answers_lifetime, last_updated = NOW()
FROM user_stats us
WHERE us.user_id = dp.user_id AND dp.total_answers_analyzed <> us.total_answers_lifetime;
