// Problem 3 of the analysis, reproduced: counters drift when answers change by a path the
// counting does not see. Each trigger-based strategy (one with a trigger of its own on
// user_answers_new, read from pg_trigger after its deploy) is deployed in turn, and each path is
// taken on it: a direct DELETE, INSERTs with its triggers disabled, INSERTs under
// session_replication_role = replica (as during logical replication or some restores), and a
// TRUNCATE. A path's drift is the change of each counter's total minus the change of the truth,
// so paths can follow each other on one schema; where the health tool knows the strategy's
// counters, `check` and `repair` run after each path, with what they found and fixed.
import type pg from 'pg';
import { connectPg } from '../../db/connect.ts';
import { dropSchema } from '../../db/schemas.ts';
import { schemaFor } from '../../db/schema-name.ts';
import { deployStrategy } from '../../run/deploy.ts';
import { counterSums } from '../../measure/drift.ts';
import { redisPrefixFor } from '../../strategies/redis-keys.ts';
import { strategyById } from '../../strategies/index.ts';
import type { Strategy, StrategyContext } from '../../strategies/types.ts';
import { drainJobs } from '../drain-jobs.ts';
import type { BypassFinding, BypassPathResult } from '../../results/types.ts';
import { checkSnapshot, healthCounters, repairSnapshot } from '../health-tool.ts';
import type { PhaseRunner } from '../phase-context.ts';

const INSERT_ROWS = `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length)
SELECT 1 + (i % (SELECT count(*) FROM onboarding_sessions)::int), 'bypass', 'bypass', 6 FROM generate_series(1, $1::int) i`;

interface Path {
  id: string;
  title: string;
  /** as an operator would type it; $1 is the rows */
  sql: string;
  /** judged by the counters against the truth after it, not by their change: it empties the
   *  table, so whatever drift earlier paths left is gone with the rows for a counter that
   *  follows it */
  absolute?: boolean;
  run(c: pg.Client, rows: number): Promise<number>;
}

async function inTransaction(c: pg.Client, body: () => Promise<number>): Promise<number> {
  await c.query('BEGIN');
  try {
    const n = await body();
    await c.query('COMMIT');
    return n;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

// TRUNCATE goes last: it takes every row the others would need.
export const BYPASS_PATHS: Path[] = [
  {
    id: 'direct-delete',
    title: 'A direct DELETE',
    sql: 'DELETE FROM user_answers_new WHERE id IN (SELECT id FROM user_answers_new ORDER BY id LIMIT $1)',
    run: async (c, rows) => (await c.query('DELETE FROM user_answers_new WHERE id IN (SELECT id FROM user_answers_new ORDER BY id LIMIT $1)', [rows])).rowCount ?? 0,
  },
  {
    id: 'disabled-trigger',
    title: 'INSERTs with the triggers disabled',
    sql: `ALTER TABLE user_answers_new DISABLE TRIGGER USER; ${INSERT_ROWS.replace(/\s+/g, ' ')}; ALTER TABLE user_answers_new ENABLE TRIGGER USER`,
    run: (c, rows) =>
      inTransaction(c, async () => {
        await c.query('ALTER TABLE user_answers_new DISABLE TRIGGER USER');
        const n = (await c.query(INSERT_ROWS, [rows])).rowCount ?? 0;
        await c.query('ALTER TABLE user_answers_new ENABLE TRIGGER USER');
        return n;
      }),
  },
  {
    id: 'replica-role',
    title: 'INSERTs under session_replication_role = replica',
    sql: `SET LOCAL session_replication_role = replica; ${INSERT_ROWS.replace(/\s+/g, ' ')}`,
    run: (c, rows) =>
      inTransaction(c, async () => {
        await c.query('SET LOCAL session_replication_role = replica');
        return (await c.query(INSERT_ROWS, [rows])).rowCount ?? 0;
      }),
  },
  {
    id: 'truncate',
    title: 'TRUNCATE',
    sql: 'TRUNCATE user_answers_new',
    absolute: true,
    run: async (c) => {
      const n = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new')).rows[0].n);
      await c.query('TRUNCATE user_answers_new');
      return n;
    },
  },
];

async function triggersOf(c: pg.Client, schema: string): Promise<BypassFinding['strategies'][number]['triggers']> {
  const r = await c.query<{ name: string; tgtype: number }>(
    `SELECT t.tgname AS name, t.tgtype FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = 'user_answers_new' AND NOT t.tgisinternal ORDER BY t.tgname`,
    [schema],
  );
  // pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
  return r.rows.map(({ name, tgtype: t }) => ({
    name,
    level: t & 1 ? 'ROW' : 'STATEMENT',
    timing: t & 2 ? 'BEFORE' : t & 64 ? 'INSTEAD OF' : 'AFTER',
    events: [t & 4 && 'INSERT', t & 8 && 'DELETE', t & 16 && 'UPDATE', t & 32 && 'TRUNCATE'].filter((x): x is string => !!x),
  }));
}

const truth = async (c: pg.Client) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new')).rows[0].n);

async function takePath(c: pg.Client, s: Strategy, ctx: StrategyContext, p: Path, rows: number, pgUrl: string): Promise<BypassPathResult> {
  await drainJobs(s, ctx, pgUrl, undefined);
  const before = await counterSums(c, undefined, s, ctx);
  const t0 = await truth(c);
  let touched: number;
  try {
    touched = await p.run(c, rows);
  } catch (e) {
    return { path: p.id, status: 'failed', reason: (e as Error).message.split('\n')[0], rowsTouched: 0, drift: {}, exact: false };
  }
  // a rolled-up counter is judged once its job caught up, as a run judges it
  await drainJobs(s, ctx, pgUrl, undefined);
  const after = await counterSums(c, undefined, s, ctx);
  const t1 = await truth(c);
  const drift: Record<string, number> = {};
  for (const k of Object.keys(after)) drift[k] = p.absolute ? after[k] - t1 : after[k] - before[k] - (t1 - t0);
  return { path: p.id, status: 'ok', rowsTouched: touched, drift, exact: Object.values(drift).every((d) => d === 0) };
}

export const bypassPhase: PhaseRunner = async (phase, c) => {
  const s = phase.scenario!;
  const rows = phase.bypass!.rows;
  const t = c.targets;
  const finding: BypassFinding = { paths: BYPASS_PATHS.map((p) => ({ id: p.id, title: p.title, sql: p.sql })), strategies: [] };
  for (const id of s.strategies) {
    if (c.signal?.aborted) break;
    const strategy = strategyById(id)!;
    const ctx = { schema: schemaFor(id, c.namespace), redisPrefix: redisPrefixFor(`${c.runId}-${phase.name}`, id), users: s.data.users, options: s.options };
    const entry: BypassFinding['strategies'][number] = { strategy: id, status: 'ok', triggers: [], paths: [] };
    if (strategy.needsRedis || !strategy.counters.some((k) => k.source === 'postgres' && !k.computedOnRead)) {
      // nothing it counts is kept in the database by the database
      finding.strategies.push({ ...entry, status: 'skipped', reason: strategy.needsRedis ? 'its counts go through Redis: no trigger sees these paths' : 'it stores no counter' });
      continue;
    }
    const admin = await t.admin.get();
    let conn: pg.Client | undefined;
    try {
      c.log(`bypass: deploying ${id} in ${ctx.schema}`);
      const d = await deployStrategy(t.pg.url, admin, strategy, ctx, s.data, undefined, c.signal);
      if (d.status !== 'ok') {
        finding.strategies.push({ ...entry, status: d.status === 'not-deployable' ? 'not-deployable' : 'failed', reason: d.reason });
        continue;
      }
      conn = await connectPg(t.pg.url, { schema: ctx.schema, applicationName: `counterbench:${id}:bypass` });
      entry.triggers = await triggersOf(conn, ctx.schema);
      if (!entry.triggers.length) {
        finding.strategies.push({ ...entry, status: 'skipped', reason: 'no trigger of its own on user_answers_new: the application counts, and these paths bypass the application whatever it does' });
        continue;
      }
      const health = healthCounters(strategy);
      if (!health.length) entry.healthTool = `check and repair know ${strategy.counters.map((k) => k.name).join(', ')} only as the three counters of the analysis; this strategy's reads come from elsewhere, so the drift is measured on its own counters`;
      for (const p of BYPASS_PATHS) {
        if (c.signal?.aborted) break;
        const r = await takePath(conn, strategy, ctx, p, rows, t.pg.url);
        if (r.status === 'ok' && health.length) {
          r.check = await checkSnapshot(conn, ctx.schema, health);
          r.repair = await repairSnapshot(conn, ctx.schema, health);
          r.afterRepair = await checkSnapshot(conn, ctx.schema, health);
        }
        c.log(`  ${id} ${p.id}: ${r.status === 'ok' ? `${r.rowsTouched} rows, ${r.exact ? 'exact' : `drift ${JSON.stringify(r.drift)}`}` : `failed: ${r.reason}`}`);
        entry.paths.push(r);
      }
      finding.strategies.push(entry);
    } catch (e) {
      finding.strategies.push({ ...entry, status: 'failed', reason: (e as Error).message.split('\n')[0] });
    } finally {
      await conn?.end().catch(() => {});
      if (!c.keep) await dropSchema(await t.admin.get(), ctx.schema).catch(() => {});
    }
  }
  return { scenario: s, bypass: finding };
};
