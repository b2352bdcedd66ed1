-- Seed data, identical in every strategy's schema; runs before the strategy's triggers exist.
-- $1 users, $2 sessions per user, $3 answers per user on average, $4 zipf exponent of answers
-- over users (0: every user has exactly $3).
-- Layout the driver relies on: user u owns sessions (u-1)*$2+1 .. u*$2, the last one active.
-- Answer ids are given here and the primary key comes after the load (schema-constraints.sql).
INSERT INTO users (id) SELECT u FROM generate_series(1, $1::int) u;

INSERT INTO onboarding_sessions (id, user_id, status)
SELECT (u - 1) * $2::int + k, u, CASE WHEN k = $2::int THEN 'active' ELSE 'completed' END
FROM generate_series(1, $1::int) u, generate_series(1, $2::int) k;

WITH h AS (SELECT sum(power(g, -$4::float8)) AS total FROM generate_series(1, $1::int) g),
per_user AS (
  SELECT u, CASE WHEN $4::float8 = 0 THEN $3::int
                 ELSE floor($3::float8 * $1::int * power(u, -$4::float8) / h.total)::int END AS n
  FROM generate_series(1, $1::int) u, h
),
numbered AS (SELECT u, n, sum(n) OVER (ORDER BY u) - n AS first_id FROM per_user)
INSERT INTO user_answers_new (id, session_id, question_json_id, raw_answer, answer_length, answered_at)
SELECT p.first_id + i + 1, (p.u - 1) * $2::int + 1 + (i % $2::int), 'q' || i, 'seeded answer', 13, now() - interval '1 day'
FROM numbered p, generate_series(0, p.n - 1) i;
