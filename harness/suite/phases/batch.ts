// The batch phase: answers written in multi-row INSERTs and in COPY, inside transactions of
// several sizes (1, 100 and 10,000 rows by default), through every strategy that can take them
// (strategies/types.ts BatchCounting): a row-level trigger pays once per row, a statement-level
// one once per statement and user, an application that counts a batch once per user. Each
// cell's cost per row is set against baseline's in the same cell; after its batches, each
// strategy's jobs are drained and every counter checked.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { connectPg } from '../../db/connect.ts';
import { copyIn } from '../../db/copy-in.ts';
import { dropSchema } from '../../db/schemas.ts';
import { schemaFor } from '../../db/schema-name.ts';
import { deployStrategy } from '../../run/deploy.ts';
import { exactCheck } from '../../measure/drift.ts';
import { createRng } from '../../load/rng.ts';
import { batchCounts } from '../../strategies/batch-counts.ts';
import { redisPrefixFor } from '../../strategies/redis-keys.ts';
import { strategyById } from '../../strategies/index.ts';
import type { Answer, Conn, Strategy, StrategyContext } from '../../strategies/types.ts';
import type { BatchCell, BatchFinding } from '../../results/types.ts';
import type { PhaseContext, PhaseRunner } from '../phase-context.ts';
import { drainJobs } from '../drain-jobs.ts';

// 4 parameters a row; Postgres takes at most 65535 in one statement
const MAX_ROWS_PER_INSERT = 16_000;

/** One batch's answers: users drawn uniformly, each answer in the user's active session. */
function answersFor(n: number, users: number, sessionsPerUser: number, next: () => number): Answer[] {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) {
    const userId = 1 + Math.floor(next() * users);
    out.push({ userId, sessionId: userId * sessionsPerUser, questionJsonId: `b${i}`, rawAnswer: 'batch answer' });
  }
  return out;
}

async function insertRows(c: pg.Client, rows: Answer[]): Promise<void> {
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
    const part = rows.slice(i, i + MAX_ROWS_PER_INSERT);
    const values: unknown[] = [];
    const tuples = part.map((a, k) => {
      values.push(a.sessionId, a.questionJsonId, a.rawAnswer, a.rawAnswer.length);
      return `($${k * 4 + 1}, $${k * 4 + 2}, $${k * 4 + 3}, $${k * 4 + 4})`;
    });
    await c.query(`INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ${tuples.join(', ')}`, values);
  }
}

async function copyRows(c: pg.Client, rows: Answer[]): Promise<void> {
  // text format: the harness's own values hold no tab, newline or backslash
  await copyIn(c, 'user_answers_new (session_id, question_json_id, raw_answer, answer_length)', rows.map((a) => `${a.sessionId}\t${a.questionJsonId}\t${a.rawAnswer}\t${a.rawAnswer.length}\n`));
}

async function measureStrategy(s: Strategy, ctx: StrategyContext, c: PhaseContext, spec: NonNullable<import('../types.ts').SuitePhaseSpec['batch']>, data: { users: number; sessionsPerUser: number }, redis: Redis | undefined): Promise<{ cells: BatchCell[]; exact: boolean; lost: number; extra: number }> {
  const t = c.targets;
  const counting = s.batch;
  const pg = await connectPg(t.pg.url, { schema: ctx.schema, applicationName: `counterbench:${s.id}:batch` });
  const conn: Conn = { pg, redis, ctx };
  const cells: BatchCell[] = [];
  try {
    for (const method of spec.methods) {
      for (const size of spec.sizes) {
        if (c.signal?.aborted) break;
        const transactions = Math.max(1, Math.round(spec.rowsPerCell / size));
        const rng = createRng(size * 7 + (method === 'copy' ? 1 : 0));
        const batches = Array.from({ length: transactions }, () => answersFor(size, data.users, data.sessionsPerUser, () => rng.next()));
        const begin = counting.kind === 'application' && counting.begin ? counting.begin : 'BEGIN';
        const t0 = performance.now();
        for (const rows of batches) {
          await pg.query(begin);
          try {
            if (method === 'insert') await insertRows(pg, rows);
            else await copyRows(pg, rows);
            if (counting.kind === 'application' && counting.when === 'in-transaction') await counting.count(conn, batchCounts(rows));
            await pg.query('COMMIT');
          } catch (e) {
            await pg.query('ROLLBACK').catch(() => {});
            throw e;
          }
          if (counting.kind === 'application' && counting.when === 'after-commit') await counting.count(conn, batchCounts(rows));
        }
        const ms = performance.now() - t0;
        const rows = transactions * size;
        cells.push({ method, size, rows, transactions, ms: Math.round(ms * 10) / 10, usPerRow: Math.round((ms * 10_000) / rows) / 10, vsBaseline: null });
      }
    }
    await drainJobs(s, ctx, t.pg.url, t.redis?.target.url);
    const drift = await exactCheck(pg, redis, s, ctx);
    return {
      cells,
      exact: drift.every((k) => k.usersInconsistent === 0),
      lost: Math.max(0, ...drift.map((k) => k.lost)),
      extra: Math.max(0, ...drift.map((k) => k.extra)),
    };
  } finally {
    await pg.end().catch(() => {});
  }
}

export const batchPhase: PhaseRunner = async (phase, c) => {
  const s = phase.scenario!;
  const spec = phase.batch!;
  const t = c.targets;
  const ids = s.strategies.includes('baseline') ? s.strategies : ['baseline', ...s.strategies];
  const finding: BatchFinding = { sizes: spec.sizes, methods: spec.methods, rowsPerCell: spec.rowsPerCell, strategies: [] };
  for (const id of ids) {
    if (c.signal?.aborted) break;
    const strategy = strategyById(id)!;
    const entry: BatchFinding['strategies'][number] = { strategy: id, status: 'ok', counting: strategy.batch.kind === 'application' ? `application, ${strategy.batch.when}` : strategy.batch.kind, cells: [], exact: null };
    if (strategy.batch.kind === 'none') {
      finding.strategies.push({ ...entry, status: 'no-batch', reason: strategy.batch.reason });
      continue;
    }
    if (strategy.needsRedis && !t.redis) {
      finding.strategies.push({ ...entry, status: 'skipped', reason: t.redisReason });
      continue;
    }
    const ctx: StrategyContext = { schema: schemaFor(id, c.namespace), redisPrefix: redisPrefixFor(`${c.runId}-${phase.name}`, id), users: s.data.users, options: s.options };
    try {
      c.log(`batch: ${id}`);
      const d = await deployStrategy(t.pg.url, await t.admin.get(), strategy, ctx, s.data, t.redis?.client, c.signal);
      if (d.status !== 'ok') {
        finding.strategies.push({ ...entry, status: d.status === 'not-deployable' ? 'not-deployable' : 'failed', reason: d.reason });
        continue;
      }
      const m = await measureStrategy(strategy, ctx, c, spec, s.data, t.redis?.client);
      finding.strategies.push({ ...entry, cells: m.cells, exact: m.exact, lost: m.lost, extra: m.extra });
    } catch (e) {
      finding.strategies.push({ ...entry, status: 'failed', reason: (e as Error).message.split('\n')[0] });
    } finally {
      if (!c.keep) await dropSchema(await t.admin.get(), ctx.schema).catch(() => {});
      if (t.redis) await strategy.cleanup?.(t.redis.client, ctx).catch(() => {});
    }
  }
  const base = finding.strategies.find((x) => x.strategy === 'baseline');
  for (const x of finding.strategies) {
    for (const cell of x.cells) {
      const b = base?.cells.find((y) => y.method === cell.method && y.size === cell.size);
      cell.vsBaseline = b && b.usPerRow > 0 ? Math.round((cell.usPerRow / b.usPerRow) * 100) / 100 : null;
    }
  }
  return { scenario: s, batch: finding };
};
