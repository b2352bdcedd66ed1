-- The Selfology tables as the analysis describes them (seed/README.md), created inside one
-- strategy's schema: the caller sets search_path to counterbench_<id> before running this file.
-- Foreign keys and secondary indexes come after the seed data (schema-constraints.sql): built
-- once over millions of rows they cost a fraction of checking and updating them row by row.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE onboarding_sessions (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL,
    status              TEXT NOT NULL DEFAULT 'active',
    questions_answered  INTEGER NOT NULL DEFAULT 0,
    started_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_answers_new (
    id                BIGSERIAL,
    session_id        INTEGER NOT NULL,
    question_json_id  TEXT NOT NULL,
    raw_answer        TEXT NOT NULL,
    answer_length     INTEGER NOT NULL,
    answered_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Migration 004: global per-user counters.
CREATE TABLE user_stats (
    user_id                 INTEGER PRIMARY KEY,
    total_answers_lifetime  INTEGER NOT NULL DEFAULT 0,
    first_answer_at         TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE digital_personality (
    user_id                 INTEGER PRIMARY KEY,
    total_answers_analyzed  INTEGER NOT NULL DEFAULT 0,
    last_updated            TIMESTAMPTZ NOT NULL DEFAULT now()
);
