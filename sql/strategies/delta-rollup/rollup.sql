-- One rollup: the deltas this statement's snapshot sees are deleted and added to user_stats in
-- the same statement (deltas committed meanwhile stay for the next one), users in user_id order.
-- Returns how many deltas it folded, for how many users.
WITH folded AS (
    DELETE FROM answer_count_deltas RETURNING user_id, delta
), per_user AS (
    SELECT user_id, sum(delta)::int AS n, count(*) AS deltas FROM folded GROUP BY user_id
), applied AS (
    INSERT INTO user_stats (user_id, total_answers_lifetime, updated_at)
    SELECT user_id, n, NOW() FROM per_user WHERE n <> 0 ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET
        total_answers_lifetime = user_stats.total_answers_lifetime + EXCLUDED.total_answers_lifetime,
        updated_at = NOW()
    RETURNING 1
)
SELECT coalesce(sum(deltas), 0)::int AS deltas, count(*)::int AS users FROM per_user
