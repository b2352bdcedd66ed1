-- The seeded count of each user in its slot 0 (user_stats is exact after the seed).
INSERT INTO user_answer_slots (user_id, slot, n)
SELECT user_id, 0, total_answers_lifetime FROM user_stats WHERE total_answers_lifetime <> 0;
