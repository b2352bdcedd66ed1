-- Statement-level triggers with transition tables: one run per INSERT or DELETE statement,
-- however many rows it touched. The changed rows are aggregated per user (and per session), and
-- each user's counter is changed once, by one UPSERT per user in user_id order: two concurrent
-- statements lock the user_stats rows they share in the same order, so they cannot deadlock
-- there, and since a statement's sessions and digital_personality rows are those of the users it
-- has already locked in user_stats, the later UPDATEs (in whatever order their plan takes) wait
-- at most for a statement that holds none of the rows they already hold.
-- A trigger with transition tables fires for one event only: INSERT and DELETE get one each,
-- naming their transition table alike, so that one function serves both.
CREATE FUNCTION apply_answer_counts()
RETURNS TRIGGER AS $$
DECLARE
    v_sign INTEGER := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
    SELECT s.user_id, v_sign * count(*), min(c.answered_at), NOW()
    FROM changed_answers c JOIN onboarding_sessions s ON s.id = c.session_id
    GROUP BY s.user_id
    ORDER BY s.user_id
    ON CONFLICT (user_id) DO UPDATE SET
        total_answers_lifetime = user_stats.total_answers_lifetime + EXCLUDED.total_answers_lifetime,
        updated_at = NOW();

    UPDATE onboarding_sessions o
    SET questions_answered = o.questions_answered + d.n
    FROM (SELECT session_id, v_sign * count(*) AS n FROM changed_answers GROUP BY session_id) d
    WHERE o.id = d.session_id;

    UPDATE digital_personality p
    SET total_answers_analyzed = p.total_answers_analyzed + d.n,
        last_updated = NOW()
    FROM (SELECT s.user_id, v_sign * count(*) AS n
          FROM changed_answers c JOIN onboarding_sessions s ON s.id = c.session_id
          GROUP BY s.user_id) d
    WHERE p.user_id = d.user_id;

    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER apply_answer_counts_insert
AFTER INSERT ON user_answers_new
REFERENCING NEW TABLE AS changed_answers
FOR EACH STATEMENT
EXECUTE FUNCTION apply_answer_counts();

CREATE TRIGGER apply_answer_counts_delete
AFTER DELETE ON user_answers_new
REFERENCING OLD TABLE AS changed_answers
FOR EACH STATEMENT
EXECUTE FUNCTION apply_answer_counts();
