// The health tool against an application-like schema (selfology_*, not the harness's own):
// check finds hand-made drift, repair --dry-run shows it and changes nothing, repair fixes it,
// also while inserts go on, and stats reads triggers, the view and the indexes from the catalogs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';
import { checkCommand, repairCommand, statsCommand, type CommandIO } from '../harness/cli/health.ts';
import type { CheckReport } from '../harness/health/check.ts';
import type { RepairPlan, RepairResult } from '../harness/health/repair.ts';
import type { StatsReport } from '../harness/health/stats.ts';

// the tables, then their keys and the analysis's indexes (the harness adds those after its seed)
const SCHEMA_SQL = ['../sql/schema.sql', '../sql/schema-constraints.sql'].map((f) => readFileSync(new URL(f, import.meta.url), 'utf8')).join('\n');

// Migration 004's trigger, extended to all three counters as Migration 007 does (without its
// try-lock), so the fixture starts consistent.
const TRIGGER_SQL = `
CREATE FUNCTION update_user_stats_on_answer() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE v_user_id integer;
BEGIN
  SELECT user_id INTO v_user_id FROM onboarding_sessions WHERE id = NEW.session_id;
  INSERT INTO user_stats (user_id, total_answers_lifetime, first_answer_at, updated_at)
  VALUES (v_user_id, 1, NEW.answered_at, now())
  ON CONFLICT (user_id) DO UPDATE SET total_answers_lifetime = user_stats.total_answers_lifetime + 1, updated_at = now();
  UPDATE onboarding_sessions SET questions_answered = questions_answered + 1 WHERE id = NEW.session_id;
  UPDATE digital_personality SET total_answers_analyzed = total_answers_analyzed + 1, last_updated = now() WHERE user_id = v_user_id;
  RETURN NEW;
END $$;
CREATE TRIGGER update_user_stats_trigger AFTER INSERT ON user_answers_new
  FOR EACH ROW EXECUTE FUNCTION update_user_stats_on_answer();`;

const q = (s: string) => pg.escapeIdentifier(s);

/** Users 1-6 with a profile row; users 1-5 have sessions u*10+1 and u*10+2 with 3 answers each. */
async function createSelfology(c: pg.Client, schema: string): Promise<void> {
  await c.query(`CREATE SCHEMA ${q(schema)}`);
  await c.query(`SET search_path TO ${q(schema)}`);
  try {
    await c.query(SCHEMA_SQL);
    await c.query(TRIGGER_SQL);
    await c.query(`INSERT INTO users (id) SELECT g FROM generate_series(1, 6) g`);
    await c.query(`INSERT INTO digital_personality (user_id) SELECT id FROM users`);
    await c.query(`INSERT INTO onboarding_sessions (id, user_id) SELECT u * 10 + s, u FROM generate_series(1, 5) u, generate_series(1, 2) s`);
    await c.query(
      `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length)
       SELECT s.id, 'q' || n, 'answer', 6 FROM onboarding_sessions s, generate_series(1, 3) n ORDER BY s.id, n`,
    );
  } finally {
    await c.query('RESET search_path');
  }
}

function capture(env: NodeJS.ProcessEnv = {}): CommandIO & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), env, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

const counterOf = (r: CheckReport, name: string) => {
  const k = r.counters.find((x) => x.name === name);
  if (!k) throw new Error(`no counter ${name}`);
  return k;
};

async function countersSnapshot(c: pg.Client, schema: string): Promise<string> {
  const r = await c.query(
    `SELECT (SELECT json_agg(x ORDER BY user_id) FROM ${q(schema)}.user_stats x)::text AS us,
            (SELECT json_agg(x ORDER BY user_id) FROM ${q(schema)}.digital_personality x)::text AS dp,
            (SELECT json_agg(x ORDER BY id) FROM ${q(schema)}.onboarding_sessions x)::text AS s`,
  );
  return JSON.stringify(r.rows[0]);
}

/** Row versions (xmin) of a table: unchanged only if no row was written. */
async function rowVersions(c: pg.Client, schema: string, table: string): Promise<string> {
  const r = await c.query(`SELECT md5(string_agg(id::text || ':' || xmin::text, ',' ORDER BY id)) AS v FROM ${q(schema)}.${q(table)}`);
  return r.rows[0].v;
}

let admin: pg.Client;
const schemas: string[] = [];
const url = () => testDatabaseUrl();

beforeAll(async () => {
  admin = new pg.Client({ connectionString: url() });
  await admin.connect();
});

afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`);
  await admin.end();
});

async function newSchema(): Promise<string> {
  const s = `selfology_${uniqueTag()}`;
  schemas.push(s);
  await createSelfology(admin, s);
  return s;
}

describe('check, repair --dry-run, repair', () => {
  let schema: string;
  beforeAll(async () => {
    schema = await newSchema();
  });

  it('finds a consistent schema consistent', async () => {
    const io = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema], io)).toBe(0);
    expect(io.stdout()).toContain('Total users:');
    expect(io.stdout()).toMatch(/Consistent:\s+6 \(100\.0%\)/);
    expect(io.stdout()).toContain('All counters are consistent.');
    const j = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema, '--json'], j)).toBe(0);
    const r = JSON.parse(j.stdout()) as CheckReport;
    expect(r.consistent).toBe(true);
    expect(counterOf(r, 'user_stats.total_answers_lifetime').usersChecked).toBe(6);
    expect(counterOf(r, 'onboarding_sessions.questions_answered').usersChecked).toBe(10);
    expect(counterOf(r, 'user_stats.total_answers_lifetime').sumTruth).toBe(30);
  });

  it('finds counters broken by hand, with the right drift', async () => {
    const s = q(schema);
    await admin.query(`UPDATE ${s}.user_stats SET total_answers_lifetime = total_answers_lifetime + 5 WHERE user_id = 1`);
    await admin.query(`DELETE FROM ${s}.user_stats WHERE user_id = 2`);
    await admin.query(`UPDATE ${s}.digital_personality SET total_answers_analyzed = total_answers_analyzed - 2 WHERE user_id = 3`);
    await admin.query(`UPDATE ${s}.onboarding_sessions SET questions_answered = 0 WHERE id = 41`);
    // The analysis's Problem 3: a direct DELETE, which the INSERT trigger never sees.
    await admin.query(`DELETE FROM ${s}.user_answers_new WHERE id = (SELECT min(id) FROM ${s}.user_answers_new WHERE session_id = 52)`);

    const io = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema, '--json'], io)).toBe(1);
    const r = JSON.parse(io.stdout()) as CheckReport;
    expect(r.consistent).toBe(false);

    const us = counterOf(r, 'user_stats.total_answers_lifetime');
    expect(us).toMatchObject({ present: true, usersChecked: 6, usersInconsistent: 3, lost: 6, extra: 6, maxAbsDrift: 6, missingRows: 1 });
    expect(us.lost).toBe(us.sumTruth - us.sumCounter + us.extra);
    expect(us.examples).toContainEqual({ key: 2, counter: 0, truth: 6, missingRow: true });
    expect(us.examples).toContainEqual({ key: 1, counter: 11, truth: 6 });

    const dp = counterOf(r, 'digital_personality.total_answers_analyzed');
    expect(dp).toMatchObject({ usersInconsistent: 2, lost: 2, extra: 1, maxAbsDrift: 2 });
    const ss = counterOf(r, 'onboarding_sessions.questions_answered');
    expect(ss).toMatchObject({ usersChecked: 10, usersInconsistent: 2, lost: 3, extra: 1, maxAbsDrift: 3 });
    expect(ss.consistencyPct).toBe(80);
    expect(ss.inconsistentPct).toBe(20);

    const text = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema], text)).toBe(1);
    expect(text.stdout()).toMatch(/Inconsistent:\s+3 \(50\.0%\)/);
    expect(text.stdout()).toMatch(/Max drift:\s+6/);
    expect(text.stdout()).toContain('user 2: counter 0 (no row), truth 6');
  });

  it('repair --dry-run shows every change and changes nothing', async () => {
    const before = await countersSnapshot(admin, schema);
    const io = capture();
    expect(await repairCommand(['--dry-run', '--database-url', url(), '--schema', schema], io)).toBe(1);
    const out = io.stdout();
    expect(out).toContain('dry run, nothing changed');
    expect(out).toContain('user 1: 11 -> 6');
    expect(out).toContain('user 2: (no row) -> 6, row to be created');
    expect(out).toContain('user 5: 6 -> 5');
    expect(out).toContain('user 3: 4 -> 6');
    expect(out).toContain('session 41: 0 -> 3');
    expect(out).toContain('session 52: 3 -> 2');
    expect(out).toContain('7 counters would change');

    const capped = capture();
    expect(await repairCommand(['--dry-run', '--limit', '1', '--json', '--database-url', url(), '--schema', schema], capped)).toBe(1);
    const plan = JSON.parse(capped.stdout()) as RepairPlan & { dryRun: boolean };
    expect(plan.dryRun).toBe(true);
    const us = plan.counters.find((k) => k.name === 'user_stats.total_answers_lifetime')!;
    expect(us).toMatchObject({ toUpdate: 2, toInsert: 1, toSkip: 0, more: 2 });
    expect(us.changes).toEqual([{ key: 1, from: 11, to: 6, action: 'update' }]);
    expect(plan.total).toBe(7);

    expect(await countersSnapshot(admin, schema)).toBe(before);
  });

  it('repair fixes every drifted counter, touching only the counter tables; check then exits 0', async () => {
    const answers = await rowVersions(admin, schema, 'user_answers_new');
    const users = await rowVersions(admin, schema, 'users');
    const io = capture();
    expect(await repairCommand(['--database-url', url(), '--schema', schema, '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout()) as RepairResult;
    expect(r.fixed).toBe(7);
    expect(r.counters.find((k) => k.name === 'user_stats.total_answers_lifetime')).toMatchObject({ updated: 2, inserted: 1 });
    expect(r.counters.find((k) => k.name === 'digital_personality.total_answers_analyzed')).toMatchObject({ updated: 2, inserted: 0 });
    expect(r.counters.find((k) => k.name === 'onboarding_sessions.questions_answered')).toMatchObject({ updated: 2 });
    expect(await rowVersions(admin, schema, 'user_answers_new')).toBe(answers);
    expect(await rowVersions(admin, schema, 'users')).toBe(users);

    const row = await admin.query(`SELECT total_answers_lifetime, first_answer_at FROM ${q(schema)}.user_stats WHERE user_id = 2`);
    expect(row.rows[0].total_answers_lifetime).toBe(6);
    expect(row.rows[0].first_answer_at).not.toBeNull();

    const check = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema], check)).toBe(0);
    const again = capture();
    expect(await repairCommand(['--database-url', url(), '--schema', schema], again)).toBe(0);
    expect(again.stdout()).toContain('Fixed 0 counters');
  });

  it('leaves a missing profile row alone and says so', async () => {
    await admin.query(`DELETE FROM ${q(schema)}.digital_personality WHERE user_id = 4`);
    const io = capture();
    expect(await repairCommand(['--database-url', url(), '--schema', schema], io)).toBe(1);
    expect(io.stdout()).toContain('1 user with answers but no digital_personality row, left alone');
    const n = await admin.query(`SELECT count(*)::int AS n FROM ${q(schema)}.digital_personality WHERE user_id = 4`);
    expect(n.rows[0].n).toBe(0);
    const check = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema, '--json'], check)).toBe(1);
    expect(counterOf(JSON.parse(check.stdout()), 'digital_personality.total_answers_analyzed')).toMatchObject({ usersInconsistent: 1, missingRows: 1, lost: 6 });
    await admin.query(`INSERT INTO ${q(schema)}.digital_personality (user_id, total_answers_analyzed) VALUES (4, 6)`);
  });
});

describe('repair under concurrent inserts', () => {
  it('leaves no drift once the insert loop stops', async () => {
    const schema = await newSchema();
    const s = q(schema);
    await admin.query(`UPDATE ${s}.user_stats SET total_answers_lifetime = 0`);
    await admin.query(`UPDATE ${s}.onboarding_sessions SET questions_answered = questions_answered + 7`);

    let stop = false;
    let inserted = 0;
    const writers = await Promise.all([1, 2].map(async () => {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      return c;
    }));
    // Transactions that stay open a moment after their trigger has incremented: the case a
    // plain UPDATE ... = (SELECT count(*)) gets wrong.
    const loops = writers.map(async (c, w) => {
      let i = 0;
      while (!stop) {
        const session = ((i++ + w) % 5 + 1) * 10 + (i % 2) + 1;
        await c.query('BEGIN');
        await c.query(`INSERT INTO ${s}.user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ($1, 'load', 'x', 1)`, [session]);
        await c.query('SELECT pg_sleep(0.002)');
        await c.query('COMMIT');
        inserted++;
      }
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      for (let n = 0; n < 5; n++) {
        const io = capture();
        expect(await repairCommand(['--database-url', url(), '--schema', schema], io), io.stderr()).toBe(0);
        await new Promise((r) => setTimeout(r, 60));
      }
    } finally {
      stop = true;
      await Promise.all(loops);
      await Promise.all(writers.map((c) => c.end()));
    }
    expect(inserted).toBeGreaterThan(10);
    const io = capture();
    const code = await checkCommand(['--database-url', url(), '--schema', schema, '--json'], io);
    const r = JSON.parse(io.stdout()) as CheckReport;
    expect(r.counters.map((k) => [k.name, k.lost, k.extra])).toEqual(r.counters.map((k) => [k.name, 0, 0]));
    expect(code).toBe(0);
    expect(counterOf(r, 'user_stats.total_answers_lifetime').sumTruth).toBe(30 + inserted);
  });

  it('gives up, changing nothing, when a writer holds the answers table past the lock timeout', async () => {
    const schema = await newSchema();
    const s = q(schema);
    await admin.query(`UPDATE ${s}.user_stats SET total_answers_lifetime = 0 WHERE user_id = 1`);
    const writer = new pg.Client({ connectionString: url() });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO ${s}.user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES (11, 'q', 'x', 1)`);
      const io = capture();
      expect(await repairCommand(['--database-url', url(), '--schema', schema, '--lock-timeout-ms', '200'], io)).toBe(2);
      expect(io.stderr()).toContain('could not lock');
      expect(io.stderr()).toContain('nothing was changed');
    } finally {
      await writer.query('ROLLBACK');
      await writer.end();
    }
    const r = await admin.query(`SELECT total_answers_lifetime AS n FROM ${s}.user_stats WHERE user_id = 1`);
    expect(r.rows[0].n).toBe(0);
  });
});

describe('as a process', () => {
  it('prints to stdout and exits with the code the command returns', async () => {
    const schema = await newSchema();
    await admin.query(`UPDATE ${q(schema)}.onboarding_sessions SET questions_answered = 9 WHERE id = 11`);
    const script = "import('./harness/cli/health.ts').then((m) => m.checkCommand(process.argv.slice(1))).then((c) => process.exit(c))";
    const env = { ...process.env, DATABASE_URL: url() };
    const p = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, '--', '--schema', schema], {
      cwd: new URL('..', import.meta.url), env, encoding: 'utf8', timeout: 60_000,
    });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(1);
    expect(p.stdout).toContain('CONSISTENCY REPORT');
    expect(p.stdout).toContain('session 11: counter 9, truth 3, drift +6');
  });
});

describe('stats', () => {
  let schema: string;
  beforeAll(async () => {
    schema = await newSchema();
  });

  const stats = async (): Promise<StatsReport> => {
    const io = capture();
    expect(await statsCommand(['--database-url', url(), '--schema', schema, '--json'], io), io.stderr()).toBe(0);
    return JSON.parse(io.stdout()) as StatsReport;
  };

  it('reports the trigger, its function, the tables and the indexes', async () => {
    const r = await stats();
    expect(r.triggers).toHaveLength(1);
    expect(r.triggers[0]).toMatchObject({
      name: 'update_user_stats_trigger', enabled: true, status: 'enabled', timing: 'AFTER', events: ['INSERT'], level: 'ROW',
    });
    expect(r.triggers[0].function).toBe(`${schema}.update_user_stats_on_answer()`);
    expect(r.functions[0]).toMatchObject({ language: 'plpgsql', tryAdvisoryLock: false });
    expect(r.functions[0].counters).toHaveLength(3);
    expect(r.consistencyView.present).toBe(false);
    expect(r.indexes.every((i) => i.present)).toBe(true);
    const answers = r.tables.find((t) => t.table === 'user_answers_new')!;
    expect(answers).toMatchObject({ present: true, rowsExact: 30 });
    expect(answers.totalBytes).toBeGreaterThan(0);
    expect(r.warnings.some((w) => w.includes('DELETE'))).toBe(true);

    const text = capture();
    expect(await statsCommand(['--database-url', url(), '--schema', schema], text)).toBe(0);
    expect(text.stdout()).toContain('Trigger:  update_user_stats_trigger');
    expect(text.stdout()).toContain('Status:   Enabled');
  });

  it('sees a disabled trigger, judges indexes by definition, finds the view', async () => {
    const s = q(schema);
    await admin.query(`ALTER TABLE ${s}.user_answers_new DISABLE TRIGGER update_user_stats_trigger`);
    await admin.query(`DROP INDEX ${s}.idx_answers_session`);
    await admin.query(`DROP INDEX ${s}.idx_sessions_id_user_id`);
    await admin.query(`CREATE INDEX sessions_by_id_and_user ON ${s}.onboarding_sessions (id, user_id, status)`);
    await admin.query(`DROP INDEX ${s}.idx_sessions_active`);
    await admin.query(`CREATE INDEX idx_sessions_active ON ${s}.onboarding_sessions (user_id, status)`);
    await admin.query(`CREATE VIEW ${s}.counter_consistency_check AS SELECT 1 AS one`);

    const r = await stats();
    expect(r.triggers[0]).toMatchObject({ enabled: false, status: 'disabled' });
    expect(r.warnings.some((w) => w.includes('update_user_stats_trigger is disabled'))).toBe(true);
    const byName = Object.fromEntries(r.indexes.map((i) => [i.name, i]));
    expect(byName.idx_answers_session).toMatchObject({ present: false, matchedBy: [] });
    expect(byName.idx_sessions_id_user_id).toMatchObject({ present: true, matchedBy: ['sessions_by_id_and_user'] });
    expect(byName.idx_sessions_active.present).toBe(false);
    expect(byName.idx_sessions_active.note).toContain('exists but does not serve this');
    expect(r.consistencyView).toEqual({ present: true, kind: 'view' });

    const text = capture();
    await statsCommand(['--database-url', url(), '--schema', schema], text);
    expect(text.stdout()).toContain('Status:   DISABLED');
    expect(text.stdout()).toMatch(/idx_answers_session: user_answers_new\(session_id\): MISSING/);

    await admin.query(`ALTER TABLE ${s}.user_answers_new ENABLE TRIGGER update_user_stats_trigger`);
    await admin.query(`CREATE INDEX answers_session_partial_no ON ${s}.user_answers_new (session_id) WHERE answer_length > 0`);
    await admin.query(`CREATE INDEX answers_by_session_time ON ${s}.user_answers_new (session_id, answered_at)`);
    await admin.query(`DROP INDEX ${s}.idx_sessions_active`);
    await admin.query(`CREATE INDEX sessions_active ON ${s}.onboarding_sessions (user_id, status) WHERE (status = 'active'::text)`);
    const again = await stats();
    expect(again.triggers[0].enabled).toBe(true);
    const by2 = Object.fromEntries(again.indexes.map((i) => [i.name, i]));
    expect(by2.idx_answers_session).toMatchObject({ present: true, matchedBy: ['answers_by_session_time'] });
    expect(by2.idx_sessions_active).toMatchObject({ present: true, matchedBy: ['sessions_active'] });
  });
});

describe('usage and connection errors', () => {
  it('exits 2 without a database URL', async () => {
    const io = capture({});
    expect(await checkCommand([], io)).toBe(2);
    expect(io.stderr()).toContain('--database-url');
    expect(io.stderr()).toContain('DATABASE_URL');
  });

  it('takes DATABASE_URL from the environment', async () => {
    const io = capture({ DATABASE_URL: url() });
    expect(await checkCommand(['--schema', 'selfology_absent_' + uniqueTag()], io)).toBe(2);
    expect(io.stderr()).toMatch(/schema "selfology_absent_t[0-9a-f]+" does not exist/);
  });

  it('exits 2 naming what a schema lacks, and reports absent counter tables as not present (exit 2 unless left out by --counters)', async () => {
    const empty = `selfology_${uniqueTag()}`;
    schemas.push(empty);
    await admin.query(`CREATE SCHEMA ${q(empty)}`);
    for (const cmd of [checkCommand, statsCommand, (a: string[], i: CommandIO) => repairCommand(['--dry-run', ...a], i)]) {
      const io = capture();
      expect(await cmd(['--database-url', url(), '--schema', empty], io)).toBe(2);
      expect(io.stderr()).toContain('missing table user_answers_new, table onboarding_sessions');
    }

    const partial = await newSchema();
    await admin.query(`DROP TABLE ${q(partial)}.digital_personality`);
    const io = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', partial], io)).toBe(2);
    expect(io.stdout()).toContain('digital_personality.total_answers_analyzed: not present (table digital_personality not present), skipped');
    expect(io.stdout()).not.toContain('All counters are consistent');
    expect(io.stderr()).toContain('not checked: digital_personality.total_answers_analyzed');
    const rep = capture();
    expect(await repairCommand(['--database-url', url(), '--schema', partial], rep)).toBe(2);
    const others = ['--counters', 'user_stats,onboarding_sessions'];
    expect(await checkCommand(['--database-url', url(), '--schema', partial, ...others], capture())).toBe(0);
    expect(await repairCommand(['--database-url', url(), '--schema', partial, ...others], capture())).toBe(0);
  });

  it('quotes the schema name', async () => {
    const odd = `selfology "${uniqueTag()}"; DROP`;
    schemas.push(odd);
    await createSelfology(admin, odd);
    const io = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', odd], io), io.stderr()).toBe(0);
    expect(await repairCommand(['--database-url', url(), '--schema', odd], capture())).toBe(0);
    expect(await statsCommand(['--database-url', url(), '--schema', odd], capture())).toBe(0);
  });

  it('exits 2 on an unknown flag or a bad number', async () => {
    const io = capture();
    expect(await repairCommand(['--dryrun', '--database-url', url()], io)).toBe(2);
    expect(io.stderr()).toContain('unknown flag --dryrun');
    const bad = capture();
    expect(await repairCommand(['--dry-run', '--limit', 'ten', '--database-url', url()], bad)).toBe(2);
    expect(bad.stderr()).toContain('--limit: expected an integer >= 0, got "ten"');
  });

  it('names host and database but never the password when it cannot connect', async () => {
    const io = capture();
    expect(await checkCommand(['--database-url', 'postgres://someone:s3cr3t-pw@127.0.0.1:9/selfology'], io)).toBe(2);
    expect(io.stderr()).toContain('127.0.0.1:9/selfology');
    expect(io.stderr()).not.toContain('s3cr3t-pw');
    expect(io.stderr().split('\n')).toHaveLength(1);
  });
});

describe('sql/health scripts', () => {
  it('repair.sql and the consistency view agree with check', async () => {
    const schema = await newSchema();
    const s = q(schema);
    await admin.query(`UPDATE ${s}.user_stats SET total_answers_lifetime = 99 WHERE user_id = 1`);
    await admin.query(`DELETE FROM ${s}.user_stats WHERE user_id = 2`);
    await admin.query(`UPDATE ${s}.onboarding_sessions SET questions_answered = 1 WHERE id = 31`);
    await admin.query(`SET search_path TO ${s}`);
    try {
      await admin.query(readFileSync(new URL('../sql/health/counter_consistency_check.sql', import.meta.url), 'utf8'));
      const v = await admin.query(`SELECT user_id, user_stats_drift, sessions_inconsistent FROM counter_consistency_check WHERE NOT is_consistent ORDER BY user_id`);
      expect(v.rows).toEqual([
        { user_id: 1, user_stats_drift: 93, sessions_inconsistent: 0 },
        { user_id: 2, user_stats_drift: -6, sessions_inconsistent: 0 },
        { user_id: 3, user_stats_drift: 0, sessions_inconsistent: 1 },
      ].map((r) => ({ ...r, user_stats_drift: String(r.user_stats_drift), sessions_inconsistent: String(r.sessions_inconsistent) })));
      await admin.query(readFileSync(new URL('../sql/health/repair.sql', import.meta.url), 'utf8'));
      const after = await admin.query(`SELECT count(*)::int AS n FROM counter_consistency_check WHERE NOT is_consistent`);
      expect(after.rows[0].n).toBe(0);
    } finally {
      await admin.query('RESET search_path');
    }
    const io = capture();
    expect(await checkCommand(['--database-url', url(), '--schema', schema], io)).toBe(0);
    const st = capture();
    await statsCommand(['--database-url', url(), '--schema', schema], st);
    expect(st.stdout()).toContain('Consistency view counter_consistency_check: present (view)');
  });
});
