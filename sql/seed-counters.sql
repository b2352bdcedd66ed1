-- Every counter equal to the truth after seeding, so that a run starts from exact counters.
INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
SELECT u.id, count(a.id), min(a.answered_at), now()
FROM users u
LEFT JOIN onboarding_sessions s ON s.user_id = u.id
LEFT JOIN user_answers_new a ON a.session_id = s.id
GROUP BY u.id;

INSERT INTO digital_personality (user_id, total_answers_analyzed, last_updated)
SELECT user_id, total_answers_lifetime, now() FROM user_stats;

UPDATE onboarding_sessions s SET questions_answered = c.n
FROM (SELECT session_id, count(*) AS n FROM user_answers_new GROUP BY session_id) c
WHERE c.session_id = s.id;

