-- Added once the seed data is in (see schema.sql).
ALTER TABLE user_answers_new ADD PRIMARY KEY (id);
SELECT setval(pg_get_serial_sequence('user_answers_new', 'id'), GREATEST(1, (SELECT max(id) FROM user_answers_new)));
ALTER TABLE onboarding_sessions ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE user_answers_new ADD FOREIGN KEY (session_id) REFERENCES onboarding_sessions(id);
ALTER TABLE user_stats ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE digital_personality ADD FOREIGN KEY (user_id) REFERENCES users(id);

-- The indexes the analysis asks for. Every strategy's schema has them, so that only the counter
-- mechanism differs between schemas; Migration 007 creates them again with IF NOT EXISTS.
CREATE INDEX idx_sessions_id_user_id ON onboarding_sessions(id, user_id);
CREATE INDEX idx_sessions_active ON onboarding_sessions(user_id, status) WHERE status = 'active';
CREATE INDEX idx_answers_session ON user_answers_new(session_id);
