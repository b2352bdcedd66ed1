import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PgQueryClient, StrategyContext } from './types.ts';
import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer, readUserStats } from './statements.ts';
import { periodicJob } from './periodic-job.ts';
import { deleteKeys } from './redis-keys.ts';
import { ascending } from './batch-counts.ts';
import { optionOf } from './options.ts';
import { sqlFile } from '../sql.ts';

// The buffer: one hash of user id → increments not yet in Postgres. A flush hands it off by
// renaming it to a batch key of its own and noting the batch in a set, both at once; the
// increments written meanwhile start a new buffer.
const bufferKey = (ctx: StrategyContext) => `${ctx.redisPrefix}buffer`;
const batchKey = (ctx: StrategyContext, id: string) => `${ctx.redisPrefix}batch:${id}`;
const batchesKey = (ctx: StrategyContext) => `${ctx.redisPrefix}batches`;

const HAND_OFF = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

// One statement, one transaction: the batch id is recorded and its increments added together,
// or neither; a batch already recorded adds nothing (claimed is empty).
const APPLY = `WITH claimed AS (
    INSERT INTO redis_flushes_applied (batch_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING batch_id
), applied AS (
    INSERT INTO user_stats (user_id, total_answers_lifetime, updated_at)
    SELECT d.u, d.n, NOW() FROM unnest($2::int[], $3::int[]) AS d(u, n), claimed WHERE d.n <> 0 ORDER BY d.u
    ON CONFLICT (user_id) DO UPDATE SET
        total_answers_lifetime = user_stats.total_answers_lifetime + EXCLUDED.total_answers_lifetime,
        updated_at = NOW()
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM applied)::int AS users`;

// a batch id is kept this long after its batch is gone from Redis: a flusher that read the batch
// before another removed it still finds the id and adds nothing
const PRUNE = `DELETE FROM redis_flushes_applied WHERE applied_at < NOW() - interval '1 hour'`;

/** Where a test may stop a flush, to play the flusher dying there. */
export interface FlushHooks {
  /** the buffer was handed off to the batch, which is not yet applied */
  afterHandOff?(batch: string): Promise<void> | void;
  /** the batch was applied in Postgres and is still in Redis */
  afterApply?(batch: string): Promise<void> | void;
}

export interface FlushOutcome {
  /** batches applied by this flush: left by an earlier flusher, then its own */
  batches: number;
  /** increments moved into user_stats, net of the deletes' -1s (a batch applied before moves none) */
  increments: number;
}

async function applyBatch(redis: Redis, pg: PgQueryClient, ctx: StrategyContext, id: string, hooks: FlushHooks): Promise<number> {
  const key = batchKey(ctx, id);
  const entries = await redis.hgetall(key);
  const users: number[] = [];
  const counts: number[] = [];
  let increments = 0;
  for (const [u, n] of Object.entries(entries)) {
    users.push(Number(u));
    counts.push(Number(n));
    increments += Number(n);
  }
  const r = await pg.query<{ claimed: number }>(APPLY, [id, users, counts]);
  await hooks.afterApply?.(key);
  await redis.multi().del(key).srem(batchesKey(ctx), id).exec();
  return r.rows[0].claimed ? increments : 0;
}

/** One flush: first every batch an earlier flush handed off and did not finish (a flusher that
 *  died mid-flush), then the buffer. Whatever step it dies at, the next flush loses nothing and
 *  counts nothing twice. */
export async function flushBuffered(redis: Redis, pg: PgQueryClient, ctx: StrategyContext, hooks: FlushHooks = {}): Promise<FlushOutcome> {
  const out: FlushOutcome = { batches: 0, increments: 0 };
  for (const id of await redis.smembers(batchesKey(ctx))) {
    out.increments += await applyBatch(redis, pg, ctx, id, hooks);
    out.batches++;
  }
  const id = randomUUID();
  if (await redis.eval(HAND_OFF, 3, bufferKey(ctx), batchKey(ctx, id), batchesKey(ctx), id)) {
    await hooks.afterHandOff?.(batchKey(ctx, id));
    out.increments += await applyBatch(redis, pg, ctx, id, hooks);
    out.batches++;
  }
  await pg.query(PRUNE);
  return out;
}

/** The buffered-counter pattern: the INSERT commits, then the app adds 1 to the user's entry of a
 *  Redis buffer (never before the commit: an increment is never counted for an answer that rolled
 *  back); a flusher moves the buffer into user_stats every interval with a crash-safe hand-off.
 *  Reads come from user_stats, stale by up to a flush. An application that dies between its
 *  commit and its HINCRBY loses that increment; TRUNCATE is not handled (no trigger sees it, and
 *  none could reach Redis). */
export const redisAfterCommit = defineStrategy({
  id: 'redis-after-commit',
  title: 'Redis buffer written after COMMIT, crash-safe flusher',
  origin: 'beyond the seed: buffered counters (Redis INCR after commit, periodic flush)',
  needsRedis: true,
  // the INSERT commits before the HINCRBY is sent
  multiStatement: true,
  counters: [COUNTERS.userStats],
  async deploy(c) {
    await c.query(sqlFile('strategies/redis-after-commit/deploy.sql'));
  },
  async backfill() {},
  async write(c, a) {
    await insertAnswer(c.pg, a);
    c.crashPoint?.();
    await c.redis!.hincrby(bufferKey(c.ctx), String(a.userId), 1);
  },
  // after the batch committed: one HINCRBY per user, by the user's answers in it
  batch: {
    kind: 'application',
    when: 'after-commit',
    async count(c, b) {
      const m = c.redis!.multi();
      for (const [id, n] of ascending(b.byUser)) m.hincrby(bufferKey(c.ctx), String(id), n);
      await m.exec();
    },
  },
  read: (c, userId) => readUserStats(c.pg, userId),
  readsCounter: true,
  async remove(c, t) {
    const deleted = await deleteLatestAnswer(c.pg, t);
    if (deleted) await c.redis!.hincrby(bufferKey(c.ctx), String(t.userId), -1);
    return deleted;
  },
  async jobs(ctx) {
    const redis = await ctx.connectRedis();
    const pg = await ctx.connectPg();
    let moved = '';
    return [
      periodicJob(ctx, 'redis-flusher', 'redis-flush', optionOf(ctx.options, 'redisFlushIntervalMs'), {
        run: async () => {
          const r = await flushBuffered(redis, await pg.get(), ctx);
          moved = `${r.increments} increments in ${r.batches} batch(es)`;
        },
        detail: () => moved,
        close: async () => {
          redis.disconnect();
          await pg.end();
        },
      }),
    ];
  },
  async cleanup(redis, ctx) {
    if (redis) await deleteKeys(redis, ctx.redisPrefix);
  },
});
