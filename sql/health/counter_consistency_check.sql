-- A monitoring view like the one Migration 007 promises (`counter_consistency_check`), which the
-- analysis names but does not define: one row per user, each counter beside the true count, with
-- the same rules as `counterbench check` (a missing counter row counts as 0). Create it with
-- search_path set to the application's schema. Reading it scans the answers table: it is for an
-- hourly check, not for the application's hot path.
CREATE OR REPLACE VIEW counter_consistency_check AS
WITH per_user AS (
    SELECT s.user_id, count(*) AS answers
      FROM user_answers_new a JOIN onboarding_sessions s ON s.id = a.session_id
     GROUP BY s.user_id
), per_session AS (
    SELECT s.user_id,
           count(*) FILTER (WHERE s.questions_answered IS DISTINCT FROM coalesce(c.answers, 0)) AS sessions_inconsistent
      FROM onboarding_sessions s
      LEFT JOIN (SELECT session_id, count(*) AS answers FROM user_answers_new GROUP BY session_id) c
             ON c.session_id = s.id
     GROUP BY s.user_id
)
SELECT u.id AS user_id,
       coalesce(p.answers, 0) AS actual_answers,
       us.total_answers_lifetime,
       coalesce(us.total_answers_lifetime, 0) - coalesce(p.answers, 0) AS user_stats_drift,
       dp.total_answers_analyzed,
       coalesce(dp.total_answers_analyzed, 0) - coalesce(p.answers, 0) AS digital_personality_drift,
       coalesce(ps.sessions_inconsistent, 0) AS sessions_inconsistent,
       (coalesce(us.total_answers_lifetime, 0) = coalesce(p.answers, 0)
        AND coalesce(dp.total_answers_analyzed, 0) = coalesce(p.answers, 0)
        AND coalesce(ps.sessions_inconsistent, 0) = 0) AS is_consistent
  FROM users u
  LEFT JOIN per_user p ON p.user_id = u.id
  LEFT JOIN user_stats us ON us.user_id = u.id
  LEFT JOIN digital_personality dp ON dp.user_id = u.id
  LEFT JOIN per_session ps ON ps.user_id = u.id;
