// `counterbench clean`: removes every counterbench_* schema (and counterbench:* Redis key) that
// a run left behind, and says what it removed.
import { parseArgs } from 'node:util';
import { probePostgres } from '../provision/postgres.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema, listOwnSchemas } from '../db/schemas.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { connectRedis } from '../provision/redis.ts';
import { deleteKeys, REDIS_PREFIX } from '../strategies/redis-keys.ts';
import { UsageError } from '../errors.ts';
import { describeUrl } from '../redact.ts';
import type { Output } from './output.ts';

export async function cleanCommand(argv: string[], o: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'database-url': { type: 'string' }, namespace: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError('clean needs a server: set DATABASE_URL or pass --database-url (an embedded server keeps nothing between runs)');
  const namespace = checkNamespace(values.namespace);
  await probePostgres(url, values['database-url'] ? '--database-url' : 'DATABASE_URL');
  const c = await connectPg(url, { applicationName: 'counterbench:clean' });
  const removed: string[] = [];
  try {
    for (const s of await listOwnSchemas(c, namespace)) {
      await dropSchema(c, s);
      removed.push(s);
    }
  } finally {
    await c.end();
  }
  let redisKeys = 0;
  if (process.env.REDIS_URL && !namespace) {
    const r = connectRedis(process.env.REDIS_URL);
    r.on('error', () => {});
    try {
      await r.connect();
      redisKeys = await deleteKeys(r, REDIS_PREFIX);
    } catch (e) {
      o.err(`Redis at ${describeUrl(process.env.REDIS_URL)} not cleaned: ${(e as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  if (values.json) o.out(JSON.stringify({ schemas: removed, redisKeys }));
  else {
    o.out(removed.length ? `removed ${removed.length} schema(s): ${removed.join(', ')}` : 'no counterbench_* schemas to remove');
    if (process.env.REDIS_URL && !namespace) o.out(`removed ${redisKeys} Redis key(s) under ${REDIS_PREFIX}*`);
  }
  return 0;
}
