-- Migration 007 (sql/strategies/production-trigger/deploy.sql) repaired with the smallest changes
-- that make it exact; the rest follows 007's text:
--   1. no advisory lock. 007's pg_try_advisory_xact_lock does not wait: the second of two
--      answers of one user skipped every counter. The UPSERT's row lock on user_stats already
--      serializes them (the second waits for the first to commit, then adds to its value), and
--      every run of this function locks user_stats, onboarding_sessions, digital_personality in
--      that order, so no two can deadlock. The variant that keeps 007's lock, made blocking
--      (pg_advisory_xact_lock), was measured beside it: see harness/strategies/trigger-fixed.ts.
--   2. AFTER INSERT OR DELETE: a deleted answer counts down (007 counted inserts only).
--   3. A statement-level AFTER TRUNCATE that zeroes the counters (a row trigger never sees one):
--      sql/strategies/truncate-zeroes-counters.sql.
CREATE FUNCTION update_all_answer_counters()
RETURNS TRIGGER AS $$
DECLARE
    v_user_id INTEGER;
    v_session_id INTEGER;
    v_answered_at TIMESTAMPTZ;
    v_delta INTEGER;
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_session_id := NEW.session_id; v_answered_at := NEW.answered_at; v_delta := 1;
    ELSE
        v_session_id := OLD.session_id; v_answered_at := OLD.answered_at; v_delta := -1;
    END IF;

    SELECT user_id INTO v_user_id
    FROM onboarding_sessions
    WHERE id = v_session_id;

    -- lock: none (the UPSERT's row lock serializes the answers of one user)

    INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
    VALUES (v_user_id, v_delta, v_answered_at, NOW())
    ON CONFLICT (user_id) DO UPDATE SET
        total_answers_lifetime = user_stats.total_answers_lifetime + v_delta,
        updated_at = NOW();

    UPDATE onboarding_sessions
    SET questions_answered = questions_answered + v_delta
    WHERE id = v_session_id;

    UPDATE digital_personality
    SET total_answers_analyzed = total_answers_analyzed + v_delta,
        last_updated = NOW()
    WHERE user_id = v_user_id;

    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
