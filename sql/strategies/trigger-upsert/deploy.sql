-- Variant 2, Migration 004: an AFTER INSERT trigger that UPSERTs user_stats and counts the
-- answer in its own (current) session, as the analysis's diagram shows. The analysis gives
-- only the trigger statement; the function body follows its diagram. It does not touch
-- digital_personality (the analysis says 004 does not).
CREATE FUNCTION update_user_stats_on_answer()
RETURNS TRIGGER AS $$
DECLARE
    v_user_id INTEGER;
BEGIN
    SELECT user_id INTO v_user_id
    FROM onboarding_sessions
    WHERE id = NEW.session_id;

    INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
    VALUES (v_user_id, 1, NEW.answered_at, NOW())
    ON CONFLICT (user_id) DO UPDATE SET
        total_answers_lifetime = user_stats.total_answers_lifetime + 1,
        updated_at = NOW();

    UPDATE onboarding_sessions
    SET questions_answered = questions_answered + 1
    WHERE id = NEW.session_id;

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER update_user_stats_trigger
AFTER INSERT ON user_answers_new
FOR EACH ROW
EXECUTE FUNCTION update_user_stats_on_answer();
