import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Job, JobContext, StrategyContext } from './types.ts';
import { defineStrategy } from './types.ts';
import { COUNTERS, deleteLatestAnswer, insertAnswer } from './statements.ts';
import { periodicJob } from './periodic-job.ts';
import { deleteKeys } from './redis-keys.ts';
import { ascending } from './batch-counts.ts';

const queueKey = (ctx: StrategyContext) => `${ctx.redisPrefix}answer_events`;
const userKey = (ctx: StrategyContext, userId: number) => `${ctx.redisPrefix}user:${userId}:answers`;
const CHUNK = 1000;

async function readAllCounters(redis: Redis, ctx: StrategyContext): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let from = 1; from <= ctx.users; from += CHUNK) {
    const ids: number[] = [];
    for (let u = from; u < from + CHUNK && u <= ctx.users; u++) ids.push(u);
    const vals = await redis.mget(ids.map((u) => userKey(ctx, u)));
    vals.forEach((v, i) => {
      if (v !== null) out.set(ids[i], Number(v));
    });
  }
  return out;
}

/** The periodic sync of the analysis: Redis counts written into user_stats. */
async function syncToPostgres(redis: Redis, c: pg.Client, ctx: StrategyContext): Promise<void> {
  const counts = await readAllCounters(redis, ctx);
  const ids = [...counts.keys()];
  const vals = ids.map((u) => counts.get(u)!);
  await c.query(
    `UPDATE user_stats s SET total_answers_lifetime = v.n, updated_at = now()
     FROM unnest($1::int[], $2::int[]) AS v(u, n)
     WHERE s.user_id = v.u AND s.total_answers_lifetime <> v.n`,
    [ids, vals],
  );
}

/** The worker of the analysis: BLPOP an event, INCR (or DECR) the user's key, one at a time. */
function queueWorker(ctx: JobContext, redis: Redis): Job & { idle(): boolean } {
  let stopped = false;
  let busy = false;
  // BLPOP calls that came back empty: one that began after the queue looked empty proves that no
  // event was popped but not yet counted (between the server's pop and `busy = true`)
  let emptyPolls = 0;
  const loop = (async () => {
    while (!stopped) {
      let item: [string, string] | null;
      try {
        busy = false;
        item = await redis.blpop(queueKey(ctx), 0.2);
        if (!item) {
          emptyPolls++;
          continue;
        }
        busy = true;
        const ev = JSON.parse(item[1]) as { user_id: number; action: 'increment' | 'decrement' };
        if (ev.action === 'increment') await redis.incr(userKey(ctx, ev.user_id));
        else await redis.decr(userKey(ctx, ev.user_id));
      } catch (e) {
        if (stopped) break;
        ctx.mark({ kind: 'queue-worker-error', at: Date.now(), durationMs: 0, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    busy = false;
  })();
  return {
    name: 'queue-worker',
    idle: () => !busy,
    async drain() {
      const at = Date.now();
      const probe = await ctx.connectRedis();
      try {
        for (;;) {
          const polls = emptyPolls;
          if ((await probe.llen(queueKey(ctx))) === 0 && !busy) {
            // wait for an empty BLPOP that started after this look, then check again
            while (emptyPolls < polls + 2 && !stopped) await new Promise((r) => setTimeout(r, 5));
            if ((await probe.llen(queueKey(ctx))) === 0 && !busy) break;
          } else await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        probe.disconnect();
      }
      ctx.mark({ kind: 'queue-drained', at, durationMs: Date.now() - at });
    },
    async stop() {
      stopped = true;
      await loop;
      redis.disconnect();
    },
  };
}

/** Variant 6: RPUSH an event per answer; a worker keeps per-user counts in Redis; a periodic
 *  job syncs them into user_stats. Reads come from Redis. */
export const redisQueue = defineStrategy({
  id: 'redis-queue',
  title: 'Redis queue + worker + periodic sync (variant 6)',
  origin: 'seed: variant 6',
  needsRedis: true,
  // the INSERT commits before the RPUSH is sent
  multiStatement: true,
  counters: [{ name: 'redis user:<id>:answers', scope: 'user', source: 'redis' }, COUNTERS.userStats],
  readsCounter: true,
  async deploy() {},
  async backfill(c, ctx) {
    const r = await c.pg.query<{ user_id: number; n: number }>('SELECT user_id, total_answers_lifetime AS n FROM user_stats');
    const redis = c.redis!;
    for (let i = 0; i < r.rows.length; i += CHUNK) {
      const args: string[] = [];
      for (const row of r.rows.slice(i, i + CHUNK)) args.push(userKey(ctx, row.user_id), String(row.n));
      if (args.length) await redis.mset(...args);
    }
  },
  async write(c, a) {
    await insertAnswer(c.pg, a);
    c.crashPoint?.();
    await c.redis!.rpush(queueKey(c.ctx), JSON.stringify({ user_id: a.userId, action: 'increment' }));
  },
  // one event per answer, as the write sends them, after the batch committed
  batch: {
    kind: 'application',
    when: 'after-commit',
    async count(c, b) {
      const events: string[] = [];
      for (const [id, n] of ascending(b.byUser)) for (let i = 0; i < n; i++) events.push(JSON.stringify({ user_id: id, action: 'increment' }));
      for (let i = 0; i < events.length; i += CHUNK) await c.redis!.rpush(queueKey(c.ctx), ...events.slice(i, i + CHUNK));
    },
  },
  async read(c, userId) {
    const v = await c.redis!.get(userKey(c.ctx, userId));
    return v === null ? 0 : Number(v);
  },
  async remove(c, t) {
    const deleted = await deleteLatestAnswer(c.pg, t);
    if (deleted) await c.redis!.rpush(queueKey(c.ctx), JSON.stringify({ user_id: t.userId, action: 'decrement' }));
    return deleted;
  },
  async jobs(ctx) {
    const workerRedis = await ctx.connectRedis();
    const syncRedis = await ctx.connectRedis();
    const syncPg = await ctx.connectPg();
    const worker = queueWorker(ctx, workerRedis);
    const sync = periodicJob(ctx, 'redis-sync', 'redis-sync', ctx.options.redisSyncIntervalMs, {
      run: async () => syncToPostgres(syncRedis, await syncPg.get(), ctx),
      close: async () => {
        syncRedis.disconnect();
        await syncPg.end();
      },
    });
    // order matters for drain: the queue empties into Redis before the last sync reads it
    return [worker, sync];
  },
  readRedisCounters: readAllCounters,
  async cleanup(redis, ctx) {
    if (redis) await deleteKeys(redis, ctx.redisPrefix);
  },
});
