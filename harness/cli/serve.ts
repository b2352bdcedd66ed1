// `counterbench serve`: one strategy's application path as an HTTP service on loopback, for load
// from outside (k6, autocannon, curl). It deploys and seeds the strategy's schema (dropped again
// at the end), or with --keep uses the one already there and leaves it for `verify`.
import net from 'node:net';
import type pg from 'pg';
import { loadScenario } from '../config/scenario.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from '../config/strategy-ids.ts';
import { strategyById } from '../strategies/index.ts';
import type { Job, JobEvent, StrategyContext } from '../strategies/types.ts';
import { openPostgres, type PgTarget } from '../provision/postgres.ts';
import { openRedis, type RedisTarget } from '../provision/redis.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema, seededUsers } from '../db/schemas.ts';
import { checkNamespace, schemaFor } from '../db/schema-name.ts';
import type { Reconnecting } from '../db/reconnecting.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { deployStrategy } from '../run/deploy.ts';
import { startJobs } from '../run/strategy-phase.ts';
import { describeUrl } from '../redact.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { startServe, type RunningServe } from '../serve/service.ts';
import { ROUTES } from '../serve/app.ts';
import { intFlag, listenError, parseCommandArgs } from './args.ts';
import type { Output } from './output.ts';

export const SERVE_NAMESPACE = 'serve';

export const SERVE_USAGE = `usage: counterbench serve --strategy ID [--port N] [--pool N] [--database-url URL] [--keep]

  --strategy      the strategy whose write, read and delete the service runs
  --port          the port to listen on (default 8080; 0: any free port)
  --host          the address to listen on (default 127.0.0.1, loopback)
  --pool          connections of the service's pg.Pool (default 10)
  --database-url  the Postgres to use (default: DATABASE_URL, else an embedded one)
  --scenario      the scenario whose data (users, sessions, answers) seeds the schema (default smoke)
  --namespace     schemas are counterbench_<namespace>_<id> (default ${SERVE_NAMESPACE})
  --keep          use the strategy's schema if it is already there, and leave it at the end
                  (for 'counterbench verify' after an external load)
  --json          print where it listens as one JSON line
Routes: POST ${ROUTES.write.path} {userId, sessionId[, questionJsonId, rawAnswer]}
        GET /users/:userId/answer-count      DELETE /sessions/:sessionId/latest-answer?userId=N
        GET ${ROUTES.health.path}
Bad requests get a 4xx JSON error; a database that is down gets a 503. Stops on Ctrl-C or SIGTERM.`;

/** Throws the usage error the port or host deserves when nothing can listen there now. */
async function portFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e) => reject(listenError(e, { host, port, portFlag: '--port', hostFlag: '--host' }) ?? e));
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/** The users the schema holds, when the strategy's schema is already deployed; null if not. */
async function existingUsers(admin: pg.Client, schema: string): Promise<number | null> {
  const r = await admin.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`${schema}.user_stats`]);
  if (!r.rows[0].t) return null;
  return seededUsers(admin, schema);
}

export async function serveCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const flags = { strategy: 'string', port: 'string', host: 'string', pool: 'string', 'database-url': 'string', scenario: 'string', namespace: 'string', keep: 'boolean', json: 'boolean' } as const;
  const args = parseCommandArgs({ command: 'serve', usage: SERVE_USAGE, flags }, argv, o.out);
  if (!args) return EXIT_OK;
  const v = args.values;
  if (!v.strategy) throw new UsageError(`--strategy: required (one of: ${ALL_STRATEGY_IDS.join(', ')})`);
  if (!isStrategyId(v.strategy)) throw new UsageError(`--strategy: unknown strategy "${v.strategy}" (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`);
  const strategy = strategyById(v.strategy)!;
  const port = intFlag('--port', v.port, { min: 0, max: 65535, fallback: 8080 });
  const poolSize = intFlag('--pool', v.pool, { min: 1, max: 1000, fallback: 10 });
  const host = v.host ?? '127.0.0.1';
  const ns = checkNamespace(v.namespace) ?? SERVE_NAMESPACE;
  const scenario = loadScenario(v.scenario ?? 'smoke');
  const databaseUrl = v['database-url'] ?? (process.env.DATABASE_URL || undefined);
  const log = (l: string) => o.err(l);

  let target: PgTarget | undefined;
  let redisTarget: RedisTarget | undefined;
  let admin: pg.Client | undefined;
  let server: RunningServe | undefined;
  let jobs: Job[] = [];
  const links: Reconnecting[] = [];
  let deployedHere = false;
  const schema = schemaFor(strategy.id, ns);
  try {
    if (!databaseUrl) log('starting an embedded PostgreSQL');
    target = await openPostgres({ databaseUrl });
    admin = await connectPg(target.url, { applicationName: 'counterbench:serve:admin' });
    if (strategy.needsRedis) {
      const r = await openRedis(process.env);
      if ('reason' in r) throw new UsageError(`${strategy.id} needs Redis: ${r.reason}`);
      redisTarget = r.target;
      r.client.disconnect();
    }
    // a port already taken is found before minutes of seeding, not after
    await portFree(host, port);
    const found = v.keep ? await existingUsers(admin, schema) : null;
    const users = found ?? scenario.data.users;
    const ctx: StrategyContext = { schema, redisPrefix: redisPrefixFor(ns, strategy.id), users, options: scenario.options };
    if (found === null) {
      log(`deploying ${strategy.id} into ${schema} (${scenario.data.users} users)`);
      deployedHere = true;
      const d = await deployStrategy(target.url, admin, strategy, ctx, scenario.data, undefined, signal);
      if (d.status !== 'ok') throw new UsageError(`${strategy.id} is not deployable: ${d.reason}`);
    } else log(`using the existing ${schema} (${users} users)`);
    try {
      server = await startServe({ strategy, ctx, pgUrl: target.url, redisUrl: redisTarget?.url, pool: poolSize, port, host, maxRetries: scenario.options.maxRetries });
    } catch (e) {
      // taken between the check above and now
      throw listenError(e, { host, port, portFlag: '--port', hostFlag: '--host' }) ?? e;
    }
    const events: JobEvent[] = [];
    jobs = await startJobs({ strategy, ctx, pgUrl: target.url, redisUrl: redisTarget?.url }, events, links);
    const info = { url: server.url, strategy: strategy.id, schema, pool: poolSize, users, database: describeUrl(target.url) };
    o.out(v.json ? JSON.stringify(info) : `serving ${strategy.id} on ${server.url} (schema ${schema}, ${users} users, pool ${poolSize}, database ${info.database}); Ctrl-C stops`);
    await new Promise<void>((resolve) => {
      if (!signal || signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    server = undefined;
    // what the service acknowledged is counted before it stops, so verify finds it settled
    for (const j of jobs) await j.drain().catch(() => {});
    return EXIT_OK;
  } finally {
    await server?.close();
    for (const j of jobs) await j.stop().catch(() => {});
    for (const l of links) await l.end().catch(() => {});
    if (admin && deployedHere && !v.keep) await dropSchema(admin, schema).catch(() => {});
    await admin?.end().catch(() => {});
    await redisTarget?.stop().catch(() => {});
    await target?.stop().catch(() => {});
  }
}
