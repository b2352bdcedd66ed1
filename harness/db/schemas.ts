// Create, list and drop the harness's own schemas (and nothing else).
import pg from 'pg';
import { ownSchema, SCHEMA_PREFIX } from './schema-name.ts';

const q = (name: string) => pg.escapeIdentifier(ownSchema(name));

export async function createSchema(c: pg.ClientBase, name: string): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS ${q(name)} CASCADE`);
  await c.query(`CREATE SCHEMA ${q(name)}`);
}

export async function dropSchema(c: pg.ClientBase, name: string): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS ${q(name)} CASCADE`);
}

/** Every schema this harness could have left behind, optionally only one namespace's. */
export async function listOwnSchemas(c: pg.ClientBase, namespace?: string): Promise<string[]> {
  const like = (SCHEMA_PREFIX + (namespace ? namespace + '_' : '')).replace(/_/g, '\\_') + '%';
  const r = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1`, [like]);
  return r.rows.map((x) => x.nspname).filter((n) => {
    try {
      ownSchema(n);
      return true;
    } catch {
      return false;
    }
  });
}

/** The users a deployed strategy schema was seeded with (ids are 1..n). */
export async function seededUsers(c: pg.ClientBase, schema: string): Promise<number> {
  const r = await c.query<{ n: number | null }>(`SELECT max(id)::int AS n FROM ${q(schema)}.users`);
  return r.rows[0].n ?? 0;
}

/** SET search_path for a connection that works inside one strategy's schema. */
export function searchPathOption(schema: string): string {
  return `-c search_path=${ownSchema(schema)}`;
}
