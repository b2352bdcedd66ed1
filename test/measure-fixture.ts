// Shared by the measure tests: a throwaway counterbench_<tag> schema holding sql/schema.sql, and
// connections labelled the way the driver labels its own.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../sql');
// Tables first; keys and indexes after the seed rows, as the harness itself deploys them.
const SCHEMA_SQL = path.join(SQL_DIR, 'schema.sql');
const CONSTRAINTS_SQL = path.join(SQL_DIR, 'schema-constraints.sql');

export interface TestSchema {
  url: string;
  schema: string;
  /** application_name prefix of this test's "driver" connections */
  appPrefix: string;
  /** the measuring connection, outside the prefix */
  admin: pg.Client;
  /** a connection in the schema, named `${appPrefix}${suffix}` */
  connect(suffix?: string): Promise<pg.Client>;
  drop(): Promise<void>;
}

export async function connectIn(url: string, schema: string, applicationName: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: applicationName });
  c.on('error', () => {});
  await c.connect();
  await c.query(`SELECT set_config('search_path', $1, false)`, [schema]);
  return c;
}

/** Creates the schema with `users` users, one session each (session id = user id), and a zeroed
 *  user_stats row per user; the setup connection is closed before this returns. */
export async function createTestSchema(users = 10): Promise<TestSchema> {
  const url = testDatabaseUrl();
  const tag = uniqueTag();
  const schema = `counterbench_${tag}`;
  const appPrefix = `counterbench:${tag}`;
  const admin = await connectIn(url, 'public', `counterbench-test-admin:${tag}`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  const setup = await connectIn(url, schema, `${appPrefix}:setup`);
  try {
    await setup.query(fs.readFileSync(SCHEMA_SQL, 'utf8'));
    await setup.query(`INSERT INTO users (id) SELECT g FROM generate_series(1, $1::int) g`, [users]);
    await setup.query(`INSERT INTO onboarding_sessions (id, user_id) SELECT g, g FROM generate_series(1, $1::int) g`, [users]);
    await setup.query(`INSERT INTO user_stats (user_id) SELECT g FROM generate_series(1, $1::int) g`, [users]);
    if (fs.existsSync(CONSTRAINTS_SQL)) await setup.query(fs.readFileSync(CONSTRAINTS_SQL, 'utf8'));
  } finally {
    await setup.end();
  }
  return {
    url,
    schema,
    appPrefix,
    admin,
    connect: (suffix = ':driver') => connectIn(url, schema, `${appPrefix}${suffix}`),
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const insertAnswerSql =
  `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ($1, $2, $3, length($3))`;
