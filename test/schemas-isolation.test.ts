import { describe, it, expect } from 'vitest';
import { ownSchema, schemaFor } from '../harness/db/schema-name.ts';
import { createSchema, dropSchema, listOwnSchemas } from '../harness/db/schemas.ts';
import { connectPg } from '../harness/db/connect.ts';
import { deleteKeys } from '../harness/strategies/redis-keys.ts';
import { connectRedis } from '../harness/provision/redis.ts';
import { UsageError } from '../harness/errors.ts';
import { main } from '../harness/cli/main.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

describe('the harness touches only its own schemas and keys', () => {
  it('names strategy schemas under the prefix', () => {
    expect(schemaFor('trigger-upsert')).toBe('counterbench_trigger_upsert');
    expect(schemaFor('count-star', 'ci1')).toBe('counterbench_ci1_count_star');
  });

  it.each(['public', 'selfology', 'counterbench', 'Counterbench_x', 'counterbench_x; drop table y', 'pg_catalog'])('refuses schema %s', async (name) => {
    expect(() => ownSchema(name)).toThrow(UsageError);
    const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      await expect(createSchema(c, name)).rejects.toThrow(/refusing to touch schema/);
      await expect(dropSchema(c, name)).rejects.toThrow(/refusing to touch schema/);
    } finally {
      await c.end();
    }
  });

  it('refuses to delete Redis keys outside counterbench:*', async () => {
    const r = connectRedis(testRedisUrl());
    await r.connect();
    const foreign = `someone-else:${uniqueTag()}`;
    try {
      await r.set(foreign, '1');
      await expect(deleteKeys(r, 'someone-else:')).rejects.toThrow(/refusing/);
      expect(await r.get(foreign)).toBe('1');
    } finally {
      await r.del(foreign);
      r.disconnect();
    }
  });

  it('clean removes what a run left behind, says so, and leaves other schemas alone', async () => {
    const tag = uniqueTag();
    const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    const foreign = `app_${tag}`;
    const lines: string[] = [];
    try {
      await createSchema(c, `counterbench_${tag}_baseline`);
      await createSchema(c, `counterbench_${tag}_count_star`);
      await c.query(`CREATE SCHEMA ${foreign}`);
      const prev = process.env.DATABASE_URL;
      process.env.DATABASE_URL = testDatabaseUrl();
      try {
        const code = await main(['clean', '--namespace', tag], { out: (t) => lines.push(t), err: (t) => lines.push(t), tty: false });
        expect(code).toBe(0);
      } finally {
        if (prev === undefined) delete process.env.DATABASE_URL;
        else process.env.DATABASE_URL = prev;
      }
      expect(lines.join('\n')).toContain(`removed 2 schema(s): counterbench_${tag}_baseline, counterbench_${tag}_count_star`);
      expect(await listOwnSchemas(c, tag)).toEqual([]);
      const still = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [foreign]);
      expect(still.rowCount).toBe(1);
    } finally {
      await c.query(`DROP SCHEMA IF EXISTS ${foreign}`);
      await c.end();
    }
  });
});
