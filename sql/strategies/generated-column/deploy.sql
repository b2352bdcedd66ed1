-- Variant 4 as the analysis writes it, with its "..." completed and the type it omits added.
-- PostgreSQL refuses it: a generation expression may not contain a subquery.
ALTER TABLE user_stats
ADD COLUMN total_answers INTEGER GENERATED ALWAYS AS (
    (SELECT COUNT(*) FROM user_answers_new ua
     JOIN onboarding_sessions os ON ua.session_id = os.id
     WHERE os.user_id = user_stats.user_id)
) STORED;
