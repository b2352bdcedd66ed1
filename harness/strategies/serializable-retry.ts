import { defineStrategy, type PgQueryClient } from './types.ts';
import { COUNTERS, INSERT_ANSWER, DELETE_LATEST_ANSWER, readUserStats } from './statements.ts';
import { readModifyWrite } from './app-read-modify-write.ts';
import { ascending } from './batch-counts.ts';


/** The whole write in one SERIALIZABLE transaction. Postgres aborts one of two that would lose an
 *  update with SQLSTATE 40001; the driver runs it again (options.maxRetries), so the retries of
 *  results.json count the storm, and a write that runs out of retries is an error. On any error
 *  the transaction is rolled back here, so the connection is clean for the retry. */
async function serializable<T>(c: PgQueryClient, body: () => Promise<T>): Promise<T> {
  await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
  try {
    const out = await body();
    await c.query('COMMIT');
    return out;
  } catch (e) {
    // a broken connection cannot roll back; its transaction died with it
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** app-read-modify-write's statements inside one SERIALIZABLE transaction, retried on
 *  serialization failures: exact, at the price of the retries. */
export const serializableRetry = defineStrategy({
  id: 'serializable-retry',
  title: 'Read-modify-write under SERIALIZABLE with retries',
  origin: 'negative control: SERIALIZABLE isolation, exact by aborting and retrying',
  counters: [COUNTERS.userStats],
  async deploy() {},
  async backfill() {},
  write: (c, a) =>
    serializable(c.pg, async () => {
      await c.pg.query({ name: 'sr_insert', text: INSERT_ANSWER, values: [a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length] });
      await readModifyWrite(c.pg, a.userId, 1);
    }),
  // the whole batch is one SERIALIZABLE transaction: its read-modify-writes inside it
  batch: {
    kind: 'application',
    when: 'in-transaction',
    begin: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
    async count(c, b) {
      for (const [id, n] of ascending(b.byUser)) await readModifyWrite(c.pg, id, n);
    },
  },
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: true,
  remove: (c, t) =>
    serializable(c.pg, async () => {
      const r = await c.pg.query({ name: 'sr_delete', text: DELETE_LATEST_ANSWER, values: [t.sessionId] });
      if (!r.rowCount) return false;
      await readModifyWrite(c.pg, t.userId, -1);
      return true;
    }),
});
