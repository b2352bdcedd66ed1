-- An append-only ledger of +1/-1 rows: the trigger only INSERTs (no UPDATE, no row lock shared
-- with another writer on the hot path), and a periodic rollup folds the ledger into user_stats
-- (harness/strategies/delta-rollup.ts). A read is the rolled-up value plus the user's pending
-- deltas, in one statement and so one snapshot; the rollup deletes the deltas it folds and adds
-- them to user_stats in one statement too, so a read sees every delta exactly once, before or
-- after a rollup.
CREATE TABLE answer_count_deltas (
    user_id  INTEGER NOT NULL,
    delta    SMALLINT NOT NULL
);
-- a read sums one user's pending deltas
CREATE INDEX answer_count_deltas_user ON answer_count_deltas (user_id);

CREATE FUNCTION record_answer_delta()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO answer_count_deltas (user_id, delta)
        SELECT user_id, 1 FROM onboarding_sessions WHERE id = NEW.session_id;
    ELSE
        INSERT INTO answer_count_deltas (user_id, delta)
        SELECT user_id, -1 FROM onboarding_sessions WHERE id = OLD.session_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER record_answer_delta_trigger
AFTER INSERT OR DELETE ON user_answers_new
FOR EACH ROW
EXECUTE FUNCTION record_answer_delta();

-- TRUNCATE removes every answer at once: nothing rolled up or pending counts after it.
CREATE FUNCTION zero_answer_deltas()
RETURNS TRIGGER AS $$
BEGIN
    DELETE FROM answer_count_deltas;
    UPDATE user_stats SET total_answers_lifetime = 0, updated_at = NOW() WHERE total_answers_lifetime <> 0;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER zero_answer_deltas_trigger
AFTER TRUNCATE ON user_answers_new
FOR EACH STATEMENT
EXECUTE FUNCTION zero_answer_deltas();
