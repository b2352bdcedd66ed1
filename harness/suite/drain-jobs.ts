// A hand-deployed strategy's background jobs run to completion outside a load phase (the batch
// and bypass phases write without the engine's load, whose phase starts and drains the jobs).
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { connectRedis } from '../provision/redis.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';

/** Starts the strategy's jobs, lets them finish all pending work, and stops them. */
export async function drainJobs(s: Strategy, ctx: StrategyContext, pgUrl: string, redisUrl: string | undefined): Promise<void> {
  if (!s.jobs) return;
  const links: Reconnecting[] = [];
  const jobs = await s.jobs({
    ...ctx,
    connectPg: async () => {
      const l = await reconnecting(pgUrl, { schema: ctx.schema, applicationName: `counterbench:${s.id}:job` });
      links.push(l);
      return l;
    },
    connectRedis: async () => {
      const r = connectRedis(redisUrl!);
      r.on('error', () => {});
      await r.connect();
      return r;
    },
    mark: () => {},
  });
  try {
    for (const j of jobs) await j.drain();
  } finally {
    for (const j of jobs) await j.stop().catch(() => {});
  }
}

