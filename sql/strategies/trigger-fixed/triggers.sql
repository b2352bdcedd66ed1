-- Migration 007's trigger, firing on DELETE too (functions.sql).
CREATE TRIGGER update_all_answer_counters_trigger
AFTER INSERT OR DELETE ON user_answers_new
FOR EACH ROW
EXECUTE FUNCTION update_all_answer_counters();
