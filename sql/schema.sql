-- The Selfology tables as the analysis describes them (seed/README.md), created inside one
-- strategy's schema: the caller sets search_path to counterbench_<id> before running this file.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE onboarding_sessions (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users(id),
    status              TEXT NOT NULL DEFAULT 'active',
    questions_answered  INTEGER NOT NULL DEFAULT 0,
    started_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_answers_new (
    id                BIGSERIAL PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES onboarding_sessions(id),
    question_json_id  TEXT NOT NULL,
    raw_answer        TEXT NOT NULL,
    answer_length     INTEGER NOT NULL,
    answered_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Migration 004: global per-user counters.
CREATE TABLE user_stats (
    user_id                 INTEGER PRIMARY KEY REFERENCES users(id),
    total_answers_lifetime  INTEGER NOT NULL DEFAULT 0,
    first_answer_at         TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE digital_personality (
    user_id                 INTEGER PRIMARY KEY REFERENCES users(id),
    total_answers_analyzed  INTEGER NOT NULL DEFAULT 0,
    last_updated            TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The indexes the analysis asks for. Every strategy's schema has them, so that only the counter
-- mechanism differs between schemas; Migration 007 creates them again with IF NOT EXISTS.
CREATE INDEX idx_sessions_id_user_id ON onboarding_sessions(id, user_id);
CREATE INDEX idx_sessions_active ON onboarding_sessions(user_id, status) WHERE status = 'active';
CREATE INDEX idx_answers_session ON user_answers_new(session_id);
