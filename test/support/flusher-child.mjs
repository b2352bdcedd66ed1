// redis-after-commit's flusher in a process of its own, for test/strategies-redis-after-commit:
// one flush that stops at the point it is told (after the hand-off, or after the apply), says so
// on stdout and waits there to be killed; or, told nothing, flushes and exits.
//   node flusher-child.mjs DATABASE_URL REDIS_URL SCHEMA REDIS_PREFIX [after-hand-off|after-apply]
import { register } from 'tsx/esm/api';

register();
const { connectPg } = await import('../../harness/db/connect.ts');
const { connectRedis } = await import('../../harness/provision/redis.ts');
const { flushBuffered } = await import('../../harness/strategies/redis-after-commit.ts');

const [url, redisUrl, schema, redisPrefix, stopAt] = process.argv.slice(2);
const pg = await connectPg(url, { schema, applicationName: 'counterbench:test:flusher' });
const redis = connectRedis(redisUrl);
await redis.connect();
const stopHere = (point) => async () => {
  if (stopAt !== point) return;
  process.stdout.write(`stopped ${point}\n`);
  await new Promise(() => {});
};
const r = await flushBuffered(redis, pg, { schema, redisPrefix, users: 0, options: {} }, { afterHandOff: stopHere('after-hand-off'), afterApply: stopHere('after-apply') });
process.stdout.write(`flushed ${r.increments} in ${r.batches}\n`);
process.exit(0);
