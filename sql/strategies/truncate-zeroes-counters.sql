-- For the strategies whose triggers keep the analysis's three counters: TRUNCATE removes every
-- answer at once and fires no row trigger, so a statement-level trigger sets every counter to 0.
CREATE FUNCTION zero_answer_counters()
RETURNS TRIGGER AS $$
BEGIN
    UPDATE user_stats SET total_answers_lifetime = 0, updated_at = NOW() WHERE total_answers_lifetime <> 0;
    UPDATE onboarding_sessions SET questions_answered = 0 WHERE questions_answered <> 0;
    UPDATE digital_personality SET total_answers_analyzed = 0, last_updated = NOW() WHERE total_answers_analyzed <> 0;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER zero_answer_counters_trigger
AFTER TRUNCATE ON user_answers_new
FOR EACH STATEMENT
EXECUTE FUNCTION zero_answer_counters();
