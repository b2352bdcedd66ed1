import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer } from './statements.ts';
import { sqlFile } from '../sql.ts';
import { periodicJob } from './periodic-job.ts';
import { optionOf } from './options.ts';

// the rolled-up value and the user's pending deltas, in one snapshot
const READ = `SELECT s.total_answers_lifetime + coalesce((SELECT sum(d.delta) FROM answer_count_deltas d WHERE d.user_id = $1), 0) AS n
FROM user_stats s WHERE s.user_id = $1`;

/** An append-only ledger of +1/-1 rows written by the trigger, folded into user_stats by a
 *  periodic rollup; a read adds the pending deltas to the rolled-up value, so it is exact at
 *  every read while user_stats alone lags by up to one rollup. */
export const deltaRollup = defineStrategy({
  id: 'delta-rollup',
  title: 'Delta ledger + periodic rollup, read = rolled up + pending',
  origin: 'beyond the seed: append-only counter ledger with a rollup job',
  counters: [
    {
      // what a read returns
      name: 'user_stats.total_answers_lifetime + answer_count_deltas',
      scope: 'user',
      source: 'postgres',
      sql: `SELECT s.user_id AS key, s.total_answers_lifetime + coalesce(d.n, 0) AS value
            FROM user_stats s LEFT JOIN (SELECT user_id, sum(delta) AS n FROM answer_count_deltas GROUP BY user_id) d
              ON d.user_id = s.user_id`,
    },
    // the rolled-up value alone: its lag on the timeline is the rollup's
    COUNTERS.userStats,
  ],
  async deploy(c) {
    await c.query(sqlFile('strategies/delta-rollup/deploy.sql'));
  },
  async backfill() {},
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  async read(c, userId) {
    const r = await c.pg.query({ name: 'dr_read', text: READ, values: [userId] });
    return r.rows.length ? Number(r.rows[0].n) : 0;
  },
  readsCounter: true,
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
  async jobs(ctx) {
    const conn = await ctx.connectPg();
    const rollup = sqlFile('strategies/delta-rollup/rollup.sql');
    let folded = '';
    return [
      periodicJob(ctx, 'delta-rollup', 'delta-rollup', optionOf(ctx.options, 'rollupIntervalMs'), {
        run: async () => {
          const r = await (await conn.get()).query<{ deltas: number; users: number }>(rollup);
          folded = `${r.rows[0].deltas} deltas of ${r.rows[0].users} users`;
        },
        detail: () => folded,
        close: () => conn.end(),
      }),
    ];
  },
});
