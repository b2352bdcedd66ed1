import { defineStrategy } from './types.ts';
import { deleteLatestAnswer, insertAnswer } from './statements.ts';
import { sqlFile } from '../sql.ts';
import { periodicJob } from './periodic-job.ts';

const READ_VIEW = 'SELECT total_answers AS n FROM user_answer_stats WHERE user_id = $1';

/** Variant 3: the analysis's materialized view, refreshed by a background job. */
export const materializedView = defineStrategy({
  id: 'materialized-view',
  title: 'Materialized view + periodic REFRESH (variant 3)',
  origin: 'seed: variant 3',
  counters: [
    {
      name: 'user_answer_stats.total_answers',
      scope: 'user',
      source: 'postgres',
      sql: 'SELECT user_id AS key, total_answers AS value FROM user_answer_stats',
    },
  ],
  readsCounter: true,
  async deploy(c) {
    await c.query(sqlFile('strategies/materialized-view/deploy.sql'));
  },
  async backfill(c) {
    await c.pg.query('REFRESH MATERIALIZED VIEW user_answer_stats');
  },
  write: (c, a) => insertAnswer(c.pg, a),
  batch: { kind: 'server' },
  async read(c, userId) {
    const r = await c.pg.query({ name: 'mv_read', text: READ_VIEW, values: [userId] });
    return r.rows.length ? Number(r.rows[0].n) : 0;
  },
  remove: (c, t) => deleteLatestAnswer(c.pg, t),
  async jobs(ctx) {
    const conn = await ctx.connectPg();
    const sql = ctx.options.mvRefreshConcurrently
      ? 'REFRESH MATERIALIZED VIEW CONCURRENTLY user_answer_stats'
      : 'REFRESH MATERIALIZED VIEW user_answer_stats';
    return [
      periodicJob(ctx, 'mv-refresher', 'mv-refresh', ctx.options.mvRefreshIntervalMs, {
        run: async () => {
          await (await conn.get()).query(sql);
        },
        close: () => conn.end(),
      }),
    ];
  },
});
