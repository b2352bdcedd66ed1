// One strategy's schema, side by side with the others: the Selfology tables, the same seed
// data, then the strategy's own DDL and backfill. A strategy whose DDL Postgres refuses is
// reported not deployable with Postgres's own message, and its schema is dropped again.
import type pg from 'pg';
import type { Scenario } from '../config/types.ts';
import type { StrategyStatus } from '../results/types.ts';
import type { Conn, Strategy, StrategyContext } from '../strategies/types.ts';
import { createSchema, dropSchema } from '../db/schemas.ts';
import { connectPg } from '../db/connect.ts';
import { sqlFile } from '../sql.ts';

export interface Deployed {
  status: StrategyStatus;
  reason?: string;
  seedRows: number;
  seedMs: number;
}

/** Splits a file of plain statements (no dollar quoting) for the extended protocol. */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}

export async function deployStrategy(
  url: string,
  admin: pg.Client,
  strategy: Strategy,
  ctx: StrategyContext,
  data: Scenario['data'],
  redis: Conn['redis'],
  signal?: AbortSignal,
): Promise<Deployed> {
  await createSchema(admin, ctx.schema);
  const c = await connectPg(url, { schema: ctx.schema, applicationName: `counterbench:${strategy.id}:deploy` });
  // a seed of 100K users takes seconds: Ctrl-C cancels the statement instead of waiting for it
  const pid = (c as unknown as { processID: number | null }).processID;
  const cancel = () => void admin.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    await c.query(sqlFile('schema.sql'));
    const t = performance.now();
    const params = [data.users, data.sessionsPerUser, data.answersPerUser, data.answersSkew];
    let seedRows = 0;
    for (const stmt of statements(sqlFile('seed.sql'))) {
      const used = Math.max(0, ...[...stmt.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
      const r = await c.query(stmt, params.slice(0, used));
      seedRows += r.rowCount ?? 0;
    }
    await c.query(sqlFile('seed-counters.sql'));
    await c.query(sqlFile('schema-constraints.sql'));
    const seedMs = performance.now() - t;
    try {
      await strategy.deploy(c, ctx);
    } catch (e) {
      if (signal?.aborted) throw e; // cancelled by Ctrl-C, not refused by Postgres
      await dropSchema(admin, ctx.schema);
      return { status: 'not-deployable', reason: (e as Error).message, seedRows, seedMs };
    }
    await strategy.backfill({ pg: c, redis, ctx }, ctx);
    await c.query('ANALYZE');
    return { status: 'ok', seedRows, seedMs };
  } finally {
    signal?.removeEventListener('abort', cancel);
    await c.end().catch(() => {});
  }
}

export interface DeployEntry {
  strategy: Strategy;
  ctx: StrategyContext;
  result: { status: StrategyStatus; reason?: string };
}

export interface DeployEachOptions<T> {
  url: string;
  /** the admin connection, asked for anew for each strategy (a run's is replaced when lost) */
  admin: () => Promise<pg.Client>;
  data: Scenario['data'];
  redis: Conn['redis'];
  /** why there is no Redis, for the strategies that need one */
  redisReason: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** called before a strategy's schema is created, so the caller can drop it whatever happens */
  touched: (e: T) => void;
  /** called after a deployment that did not throw */
  deployed?: (e: T, d: Deployed) => void | Promise<void>;
}

/** Every strategy in turn: skipped with the reason when it needs a Redis there is none of,
 *  failed when its deployment broke, else as deployStrategy says. */
export async function deployEach<T extends DeployEntry>(entries: T[], o: DeployEachOptions<T>): Promise<void> {
  for (const e of entries) {
    if (o.signal?.aborted) break;
    if (e.strategy.needsRedis && !o.redis) {
      e.result.status = 'skipped';
      e.result.reason = o.redisReason;
      continue;
    }
    o.log(`deploying ${e.strategy.id} in ${e.ctx.schema}`);
    o.touched(e);
    let d: Deployed;
    try {
      d = await deployStrategy(o.url, await o.admin(), e.strategy, e.ctx, o.data, o.redis, o.signal);
    } catch (err) {
      if (o.signal?.aborted) {
        e.result.status = 'not-run';
        e.result.reason = 'interrupted (Ctrl-C) during its deployment';
        break;
      }
      e.result.status = 'failed';
      e.result.reason = `deploy failed: ${(err as Error).message}`;
      continue;
    }
    e.result.status = d.status;
    if (d.reason) e.result.reason = d.reason;
    await o.deployed?.(e, d);
  }
}
