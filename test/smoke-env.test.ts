import { describe, it, expect } from 'vitest';
import pg from 'pg';
import { testDatabaseUrl } from './support/env.ts';

describe('suite environment', () => {
  it('has a Postgres', async () => {
    const c = new pg.Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    const r = await c.query('select 1 as one');
    await c.end();
    expect(r.rows[0].one).toBe(1);
  });
});
