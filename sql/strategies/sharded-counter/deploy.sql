-- A user's count spread over slot rows (user_id, slot): each answer adds +1 (a delete -1) to one
-- slot, so concurrent answers of one hot user mostly lock different rows instead of queueing on
-- one. A read sums the user's slots. The trigger's arguments: the number of slots, and how the
-- slot is picked: 'backend' (the connection's backend pid modulo slots: one connection always
-- writes the same slot) or 'random' (per answer). The harness creates the trigger with the
-- scenario's options (harness/strategies/sharded-counter.ts).
CREATE TABLE user_answer_slots (
    user_id  INTEGER NOT NULL,
    slot     SMALLINT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (user_id, slot)
);

CREATE FUNCTION count_answer_in_slot()
RETURNS TRIGGER AS $$
DECLARE
    v_session_id INTEGER;
    v_delta INTEGER;
    v_slots INTEGER := TG_ARGV[0]::int;
    v_slot SMALLINT;
BEGIN
    IF TG_OP = 'INSERT' THEN v_session_id := NEW.session_id; v_delta := 1;
    ELSE v_session_id := OLD.session_id; v_delta := -1;
    END IF;
    IF TG_ARGV[1] = 'random' THEN v_slot := floor(random() * v_slots);
    ELSE v_slot := pg_backend_pid() % v_slots;
    END IF;

    INSERT INTO user_answer_slots (user_id, slot, n)
    SELECT user_id, v_slot, v_delta FROM onboarding_sessions WHERE id = v_session_id
    ON CONFLICT (user_id, slot) DO UPDATE SET n = user_answer_slots.n + v_delta;

    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- TRUNCATE removes every answer at once: no slot counts anything after it.
CREATE FUNCTION zero_answer_slots()
RETURNS TRIGGER AS $$
BEGIN
    DELETE FROM user_answer_slots;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER zero_answer_slots_trigger
AFTER TRUNCATE ON user_answers_new
FOR EACH STATEMENT
EXECUTE FUNCTION zero_answer_slots();
