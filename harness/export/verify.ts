// After an external load (k6 anywhere, through serve or on the database): the exact drift check
// on every strategy schema of a namespace, and the server's cost since a snapshot taken before
// the load, as results.json that `report`, `compare` and `import k6` take.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { Results, StrategyResult } from '../results/types.ts';
import { SCHEMA_VERSION } from '../results/types.ts';
import { STRATEGIES } from '../strategies/index.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { schemaFor } from '../db/schema-name.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { connectPg } from '../db/connect.ts';
import { seededUsers } from '../db/schemas.ts';
import { exactCheck } from '../measure/drift.ts';
import { diffServer, snapshotServer, type ServerSnapshot } from '../measure/server.ts';
import { evaluateThresholds } from '../results/thresholds.ts';

/** What `verify --snapshot` keeps: each schema's server statistics before the load. */
export interface VerifySnapshot {
  kind: 'counterbench-verify-snapshot';
  namespace: string;
  takenAt: string;
  schemas: Record<string, ServerSnapshot>;
}

export interface Deployed {
  strategy: Strategy;
  ctx: StrategyContext;
}

/** The strategies of `ids` whose schema exists in the namespace. */
export async function deployedIn(admin: pg.Client, namespace: string, ids: readonly string[], options: Scenario['options']): Promise<Deployed[]> {
  const out: Deployed[] = [];
  for (const s of STRATEGIES) {
    if (!ids.includes(s.id)) continue;
    const schema = schemaFor(s.id, namespace);
    const r = await admin.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${schema}.user_answers_new`]);
    if (!r.rows[0].t) continue;
    out.push({ strategy: s, ctx: { schema, redisPrefix: redisPrefixFor(namespace, s.id), users: await seededUsers(admin, schema), options } });
  }
  return out;
}

/** Waits for the statistics of the strategy's backends (serve's pool is named
 *  counterbench:<id>:serve) to be flushed, so that the rows the load wrote are counted. */
const settle = (id: string) => ({ settle: { applicationNamePrefix: `counterbench:${id}`, timeoutMs: 15_000 } });

export async function takeSnapshot(admin: pg.Client, namespace: string, deployed: Deployed[]): Promise<VerifySnapshot> {
  const schemas: Record<string, ServerSnapshot> = {};
  for (const d of deployed) schemas[d.strategy.id] = await snapshotServer(admin, d.ctx.schema, settle(d.strategy.id));
  return { kind: 'counterbench-verify-snapshot', namespace, takenAt: new Date().toISOString(), schemas };
}

export interface VerifyOptions {
  url: string;
  admin: pg.Client;
  redis?: Redis;
  namespace: string;
  deployed: Deployed[];
  scenario: Scenario;
  since?: VerifySnapshot;
  runId: string;
  environment: Results['run']['environment'];
}

/** The figures diffServer divides a server-wide total by one strategy's operations. */
const SERVER_WIDE_PER_OP = ['walBytesPerWrite', 'walFpiPerWrite', 'buffersPerOp'] as const;

const answersTable = (x: ServerSnapshot | undefined) => x?.tables['user_answers_new'];

/** Ids of the snapshot's strategies whose answers table took inserts or deletes since it; `after`
 *  holds the ones already snapshotted, the others (not asked for with --strategies) are read here. */
async function loadedSince(admin: pg.Client, since: VerifySnapshot, after: Map<string, ServerSnapshot>): Promise<string[]> {
  const loaded: string[] = [];
  for (const [id, before] of Object.entries(since.schemas)) {
    let now: { inserts: number; deletes: number } | undefined = answersTable(after.get(id));
    if (!after.has(id)) {
      const r = await admin.query<{ inserts: string; deletes: string }>(
        `SELECT n_tup_ins AS inserts, n_tup_del AS deletes FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'user_answers_new'`,
        [schemaFor(id, since.namespace)],
      );
      if (r.rows[0]) now = { inserts: Number(r.rows[0].inserts), deletes: Number(r.rows[0].deletes) };
    }
    const was = answersTable(before);
    if (now && (now.inserts > (was?.inserts ?? 0) || now.deletes > (was?.deletes ?? 0))) loaded.push(id);
  }
  return loaded;
}

export async function verify(o: VerifyOptions): Promise<Results> {
  const startedAt = new Date().toISOString();
  const strategies: StrategyResult[] = [];
  const after = new Map<string, ServerSnapshot>();
  for (const d of o.deployed) {
    const s = d.strategy;
    const res: StrategyResult = { id: s.id, title: s.title, origin: s.origin, status: 'ok', counters: s.counters.map((k) => k.name), ops: {} };
    strategies.push(res);
    if (s.needsRedis && !o.redis) {
      res.status = 'skipped';
      res.reason = `${s.id} keeps counters in Redis and no Redis was given (REDIS_URL)`;
      continue;
    }
    const c = await connectPg(o.url, { schema: d.ctx.schema, applicationName: `counterbench:verify:${s.id}` });
    try {
      const counters = await exactCheck(c, o.redis, s, d.ctx);
      const consistent = counters.every((k) => k.usersInconsistent === 0);
      // one look after the load: right at it is converged (as a run says of a first look), else not
      res.drift = { consistent, convergeMs: consistent ? 0 : null, counters, timeline: [] };
    } catch (e) {
      res.status = 'failed';
      res.reason = `counters could not be checked: ${(e as Error).message}`;
    } finally {
      await c.end().catch(() => {});
    }
    if (o.since?.schemas[s.id]) after.set(s.id, await snapshotServer(o.admin, d.ctx.schema, settle(s.id)));
  }
  // WAL and buffers are counted for the whole server: when several strategies were loaded, each
  // one's share of them is unknown, and dividing the total by one strategy's rows overcharges it.
  const loaded = o.since ? await loadedSince(o.admin, o.since, after) : [];
  for (const res of strategies) {
    const before = o.since?.schemas[res.id];
    const now = after.get(res.id);
    if (!before || !now) continue;
    const writes = Math.max(0, (answersTable(now)?.inserts ?? 0) - (answersTable(before)?.inserts ?? 0));
    const deletes = Math.max(0, (answersTable(now)?.deletes ?? 0) - (answersTable(before)?.deletes ?? 0));
    const server = diffServer(before, now, { writes, reads: 0, deletes });
    server.notes.push(`since the snapshot of ${o.since!.takenAt}: writes and deletes are the rows the load inserted and deleted; reads are not known to the server's statistics, and WAL is the whole server's (anything else that wrote to it counts too)`);
    if (loaded.length > 1) {
      for (const k of SERVER_WIDE_PER_OP) server[k] = null;
      server.notes.push(`${loaded.length} strategies of namespace ${o.since!.namespace} took writes since the snapshot (${loaded.join(', ')}): WAL and buffers are the whole server's and cannot be split among them, so ${SERVER_WIDE_PER_OP.join(', ')} are not given; wal and database are the server's totals`);
    }
    res.server = server as unknown as Record<string, unknown>;
  }
  const drift = o.scenario.thresholds.filter((t) => t.metric.startsWith('drift.') || t.metric.startsWith('server.'));
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: o.runId,
      startedAt,
      finishedAt: new Date().toISOString(),
      scenario: { ...o.scenario, strategies: strategies.map((s) => s.id) },
      environment: o.environment,
      thresholds: evaluateThresholds(drift, strategies),
    },
    strategies,
  };
}
