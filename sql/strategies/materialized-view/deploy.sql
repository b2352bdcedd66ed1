-- Variant 3: the analysis's view, refreshed by a background job. The unique index serves the
-- point reads the app makes and is what REFRESH ... CONCURRENTLY requires.
CREATE MATERIALIZED VIEW user_answer_stats AS
SELECT
    os.user_id,
    COUNT(ua.id) as total_answers
FROM user_answers_new ua
JOIN onboarding_sessions os ON ua.session_id = os.id
GROUP BY os.user_id;

CREATE UNIQUE INDEX user_answer_stats_user_id ON user_answer_stats(user_id);
