import { defineStrategy } from './types.ts';
import { deleteLatestAnswer, insertAnswer } from './statements.ts';
import { sqlFile } from '../sql.ts';
import { optionOf } from './options.ts';

// a read sums the user's slots: up to `slots` rows where the other counters read one
const READ_SLOTS = 'SELECT coalesce(sum(n), 0) AS n FROM user_answer_slots WHERE user_id = $1';

/** N slot rows per user (options.slots), each write adding to one of them (options.slotPick: the
 *  connection's backend pid modulo N, or random); a read sums them. Trades read cost for less
 *  contention on a hot user's row. Keeps the per-user total only. */
export const shardedCounter = defineStrategy({
  id: 'sharded-counter',
  title: 'Sharded counter: N slot rows per user, summed on read',
  origin: 'beyond the seed: slot (sharded) counters, as for hot rows in any RDBMS',
  counters: [
    {
      name: 'user_answer_slots.n (summed per user)',
      scope: 'user',
      source: 'postgres',
      sql: 'SELECT user_id AS key, sum(n) AS value FROM user_answer_slots GROUP BY user_id',
    },
  ],
  async deploy(c, ctx) {
    const slots = optionOf(ctx.options, 'slots');
    const pick = optionOf(ctx.options, 'slotPick');
    // both go into DDL as literals: only a whole number and one of two words ever get there
    if (!Number.isInteger(slots) || slots < 1 || slots > 1024) throw new Error(`sharded-counter: slots must be an integer from 1 to 1024, got ${slots}`);
    if (pick !== 'backend' && pick !== 'random') throw new Error(`sharded-counter: slotPick must be backend or random, got ${String(pick)}`);
    await c.query(sqlFile('strategies/sharded-counter/deploy.sql'));
    await c.query(
      `CREATE TRIGGER count_answer_in_slot_trigger AFTER INSERT OR DELETE ON user_answers_new
       FOR EACH ROW EXECUTE FUNCTION count_answer_in_slot('${slots}', '${pick}')`,
    );
  },
  async backfill(c) {
    await c.pg.query(sqlFile('strategies/sharded-counter/backfill.sql'));
  },
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  async read(c, userId) {
    const r = await c.pg.query({ name: 'sc_read', text: READ_SLOTS, values: [userId] });
    return Number(r.rows[0].n);
  },
  readsCounter: true,
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
});
