// Redis keys of the harness live under counterbench:<run-id>:<strategy>:, and only those are
// ever read, changed or deleted.
import type { Redis } from 'ioredis';

export const REDIS_PREFIX = 'counterbench:';

export function redisPrefixFor(runId: string, strategyId: string): string {
  return `${REDIS_PREFIX}${runId}:${strategyId}:`;
}

/** Deletes every key under the prefix, which must be the harness's own. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  if (!prefix.startsWith(REDIS_PREFIX)) {
    throw new Error(`refusing to delete Redis keys outside ${REDIS_PREFIX}*: "${prefix}"`);
  }
  const match = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
