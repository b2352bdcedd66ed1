import { defineStrategy, type PgQueryClient } from './types.ts';
import { ascending } from './batch-counts.ts';
import { COUNTERS, INSERT_ANSWER, DELETE_LATEST_ANSWER, readUserStats } from './statements.ts';

const READ_COUNT = 'SELECT total_answers_lifetime AS n FROM user_stats WHERE user_id = $1';
const WRITE_COUNT = 'UPDATE user_stats SET total_answers_lifetime = $2, updated_at = now() WHERE user_id = $1';

/** The count read, changed in the application, and written back: nothing holds the row between
 *  the read and the write unless a transaction around them does. */
export async function readModifyWrite(c: PgQueryClient, userId: number, delta: number): Promise<void> {
  const r = await c.query({ name: 'rmw_read', text: READ_COUNT, values: [userId] });
  const n = r.rows.length ? Number(r.rows[0].n) : 0;
  await c.query({ name: 'rmw_write', text: WRITE_COUNT, values: [userId, n + delta] });
}

/** Reads the user's count, adds one, writes it back: autocommit statements after the INSERT.
 *  Two writes of one user that read the same value both write value + 1 and one increment is
 *  lost: the race the analysis attributes to manual UPDATE (whose `SET n = n + 1` does not have
 *  it). A negative control: the drift check must catch it. */
export const appReadModifyWrite = defineStrategy({
  id: 'app-read-modify-write',
  title: 'Application read-modify-write (negative control: loses increments)',
  origin: 'negative control: the race the analysis attributes to manual UPDATE',
  // the INSERT commits before the count is read and written back
  multiStatement: true,
  counters: [COUNTERS.userStats],
  async deploy() {},
  async backfill() {},
  async write(c, a) {
    await c.pg.query({ name: 'rmw_insert', text: INSERT_ANSWER, values: [a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length] });
    c.crashPoint?.();
    await readModifyWrite(c.pg, a.userId, 1);
  },
  batch: {
    kind: 'application',
    when: 'in-transaction',
    async count(c, b) {
      for (const [id, n] of ascending(b.byUser)) await readModifyWrite(c.pg, id, n);
    },
  },
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: true,
  async remove(c, t) {
    const r = await c.pg.query({ name: 'rmw_delete', text: DELETE_LATEST_ANSWER, values: [t.sessionId] });
    if (!r.rowCount) return false;
    await readModifyWrite(c.pg, t.userId, -1);
    return true;
  },
});
