import { defineStrategy, type Strategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { sqlFile } from '../sql.ts';

/** How the repaired trigger keeps two answers of one user apart: by the UPSERT's row lock alone
 *  (the registered strategy), or also by 007's advisory lock made blocking (for measuring it). */
export type TriggerFixedLock = 'none' | 'advisory';

// the line of functions.sql the advisory variant takes its lock in, and what it takes there:
// 007's own key, with the blocking pg_advisory_xact_lock instead of the try-lock
const LOCK_LINE = "    -- lock: none (the UPSERT's row lock serializes the answers of one user)";
const ADVISORY_LOCK = "    PERFORM pg_advisory_xact_lock(('x' || md5('user_answer_counter_' || v_user_id::text))::bit(64)::bigint);";

export function triggerFixedFunctions(lock: TriggerFixedLock): string {
  const sql = sqlFile('strategies/trigger-fixed/functions.sql');
  if (lock === 'none') return sql;
  if (!sql.includes(LOCK_LINE)) throw new Error('trigger-fixed/functions.sql: the line the advisory lock goes in is missing');
  return sql.replace(LOCK_LINE, ADVISORY_LOCK);
}

/** Migration 007 repaired, in either lock variant. Both were measured side by side
 *  (benchmarks/strategy-variants.ts; figures in the README, "What it compares"): the registry
 *  keeps the one without the advisory lock. It cost 6-11% less server CPU per write at every load
 *  but one, because the lock adds an md5, a lock-table entry and a function call to each write and
 *  serializes nothing the UPSERT's row lock does not already. The exception is many clients on
 *  one or two users, where the blocking lock queues the writers of a user before they touch the
 *  row instead of letting every commit wake them all to re-check it: a load that sharded-counter
 *  and delta-rollup serve at a fraction of either variant's cost. */
export function triggerFixedVariant(lock: TriggerFixedLock): Strategy<'trigger-fixed'> {
  return defineStrategy({
    id: 'trigger-fixed',
    title: 'Migration 007 repaired: no advisory lock, counts deletes and TRUNCATE',
    origin: 'beyond the seed: the smallest fix of Migration 007',
    counters: [COUNTERS.userStats, COUNTERS.session, COUNTERS.personality],
    async deploy(c) {
      await c.query(triggerFixedFunctions(lock));
      await c.query(sqlFile('strategies/trigger-fixed/triggers.sql'));
      await c.query(sqlFile('strategies/truncate-zeroes-counters.sql'));
    },
    async backfill() {},
    write: (c, a) => insertAnswer(c.pg, a),
    batch: { kind: 'server' },
    read: (c, userId) => readUserStats(c.pg, userId),
    readsCounter: true,
    remove: (c, t) => deleteLatestAnswer(c.pg, t),
  });
}

export const triggerFixed = triggerFixedVariant('none');
