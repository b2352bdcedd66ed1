// Fresh, tiny data before every permutation, in the strategy's own schema: every table emptied at
// once (the strategy's own tables too), the seed of one user with no answer put back, the
// strategy's backfill run. And the strategy's background jobs, run only when the runner says
// (a `jobs` step, the end of a permutation), so that what a reader sees never depends on when a
// job happened to wake.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Conn, JobContext, Strategy, StrategyContext } from '../strategies/types.ts';
import { sqlFile } from '../sql.ts';
import { deleteKeys } from '../strategies/redis-keys.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { connectRedis } from '../provision/redis.ts';

/** One user with one session (the same id, as sql/seed.sql lays them out) and no answer; its
 *  counters at 0. */
export async function resetData(c: pg.Client, strategy: Strategy, ctx: StrategyContext, redis: Redis | undefined, userId: number): Promise<void> {
  const t = await c.query<{ name: string }>(
    `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [ctx.schema],
  );
  // one statement for all of them: foreign keys between them need no order, and no trigger fires
  await c.query(`TRUNCATE ${t.rows.map((r) => r.name).join(', ')} RESTART IDENTITY`);
  await c.query('INSERT INTO users (id) VALUES ($1)', [userId]);
  await c.query(`INSERT INTO onboarding_sessions (id, user_id, status) VALUES ($1, $1, 'active')`, [userId]);
  await c.query(sqlFile('seed-counters.sql'));
  if (redis) await deleteKeys(redis, ctx.redisPrefix);
  const conn: Conn = { pg: c, redis, ctx };
  await strategy.backfill(conn, ctx);
}

export interface JobLinks {
  pgUrl: string;
  redisUrl?: string;
}

/** Starts the strategy's jobs, lets each finish all pending work (drain), stops them. */
export async function drainJobs(strategy: Strategy, ctx: StrategyContext, links: JobLinks): Promise<void> {
  if (!strategy.jobs) return;
  const pgLinks: Reconnecting[] = [];
  const redises: Redis[] = [];
  const jc: JobContext = {
    ...ctx,
    connectPg: async () => {
      const link = await reconnecting(links.pgUrl, { schema: ctx.schema, applicationName: `counterbench:interleave:${strategy.id}:job`, waitMs: 5000 });
      pgLinks.push(link);
      return link;
    },
    connectRedis: async () => {
      if (!links.redisUrl) throw new Error(`${strategy.id}: its jobs need a Redis`);
      const r = connectRedis(links.redisUrl);
      r.on('error', () => {});
      await r.connect();
      redises.push(r);
      return r;
    },
    mark: () => {},
  };
  const jobs = await strategy.jobs(jc);
  try {
    for (const j of jobs) await j.drain();
  } finally {
    // A job stops after its current wait (a queue worker's BLPOP timeout): the connections it
    // waits on are closed under it, so that stopping costs no such wait.
    const stopping = jobs.map((j) => j.stop().catch(() => {}));
    for (const r of redises) r.disconnect();
    await Promise.all(stopping);
    for (const l of pgLinks) await l.end().catch(() => {});
  }
}
