-- Migration 007 (007_optimize_counter_triggers) as the analysis gives it. The function text is
-- reproduced exactly: it is the system under test, pg_try_advisory_xact_lock included.

-- 1. drop the old trigger (Migration 004's), were it there
DROP TRIGGER IF EXISTS update_user_stats_trigger ON user_answers_new;

-- 2-4. one trigger for all three counters, with the advisory lock
CREATE FUNCTION update_all_answer_counters()
RETURNS TRIGGER AS $$
DECLARE
    v_user_id INTEGER;
    v_lock_key BIGINT;
BEGIN
    SELECT user_id INTO v_user_id
    FROM onboarding_sessions
    WHERE id = NEW.session_id;

    v_lock_key := ('x' || md5('user_answer_counter_' || v_user_id::text))::bit(64)::bigint;

    IF pg_try_advisory_xact_lock(v_lock_key) THEN
        INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
        VALUES (v_user_id, 1, NEW.answered_at, NOW())
        ON CONFLICT (user_id) DO UPDATE SET
            total_answers_lifetime = user_stats.total_answers_lifetime + 1,
            updated_at = NOW();

        UPDATE onboarding_sessions
        SET questions_answered = questions_answered + 1
        WHERE id = NEW.session_id;

        UPDATE digital_personality
        SET total_answers_analyzed = total_answers_analyzed + 1,
            last_updated = NOW()
        WHERE user_id = v_user_id;
    END IF;

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER update_all_answer_counters_trigger
AFTER INSERT ON user_answers_new
FOR EACH ROW
EXECUTE FUNCTION update_all_answer_counters();

-- 5. indexes (every schema already has them, see sql/schema.sql; IF NOT EXISTS keeps the
-- migration runnable on top of that)
CREATE INDEX IF NOT EXISTS idx_sessions_id_user_id ON onboarding_sessions(id, user_id);
CREATE INDEX IF NOT EXISTS idx_sessions_active ON onboarding_sessions(user_id, status) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS idx_answers_session ON user_answers_new(session_id);

-- 6. the monitoring view counter_consistency_check: the analysis names it without its text;
-- its definition is shared with the health tool (sql/health/counter_consistency_check.sql) and
-- created right after this file.
