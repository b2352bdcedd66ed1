-- The repaired Migration 007 function (sql/strategies/trigger-fixed/functions.sql, created just
-- before this file) fired by a constraint trigger DEFERRABLE INITIALLY DEFERRED: it runs at
-- COMMIT, so the counter rows are locked only from then until the commit ends, not from the
-- INSERT on. A transaction that does more work after its insert no longer holds every other
-- writer of the same user waiting through that work. Constraint triggers are row-level only;
-- TRUNCATE gets the statement-level trigger of sql/strategies/truncate-zeroes-counters.sql.
CREATE CONSTRAINT TRIGGER update_all_answer_counters_deferred
AFTER INSERT OR DELETE ON user_answers_new
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
EXECUTE FUNCTION update_all_answer_counters();
