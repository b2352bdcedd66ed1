// `counterbench verify`: the exact drift check and the server's cost on the schemas an external
// load drove (k6 through serve, or k6 with xk6-sql on the database).
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { loadScenario } from '../config/scenario.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { connectPg } from '../db/connect.ts';
import { probePostgres } from '../provision/postgres.ts';
import { connectRedis } from '../provision/redis.ts';
import { collectEnvironment } from '../run/environment.ts';
import { newRunId } from '../run/run-id.ts';
import { writeResultsFile } from '../run/write-results.ts';
import { EXIT_FAILED_CHECK, EXIT_OK, UsageError } from '../errors.ts';
import { deployedIn, takeSnapshot, verify, type VerifySnapshot } from '../export/verify.ts';
import { parseStrategies } from './micro.ts';
import { parseCommandArgs } from './args.ts';
import { prepareOutDir, writeReportsAfterRun } from './out-dir.ts';
import { renderSummary } from './summary.ts';
import type { Output } from './output.ts';

export const VERIFY_USAGE = `usage: counterbench verify --schema-namespace NS [--snapshot FILE | --since FILE] [--out DIR]

  --schema-namespace  the namespace of the schemas the load drove (counterbench_<NS>_<id>;
                      serve's default is "serve")
  --strategies        comma-separated strategy ids to look for (default: all)
  --database-url      the Postgres (default: DATABASE_URL); REDIS_URL for Redis-held counters
  --snapshot FILE     before the load: save each schema's server statistics to FILE, and stop
  --since FILE        after the load: the server's cost since that snapshot
  --scenario          the scenario whose drift and server thresholds to judge (default: none)
  --out               where results.json and the reports go (default out/verify-<run-id>)
  --json              print results.json instead of the summary
After the load and after serve has stopped (it drains the strategy's jobs when it stops). Exit 1
when a drift or server threshold of --scenario failed.`;

export async function verifyCommand(argv: string[], o: Output): Promise<number> {
  const flags = { 'schema-namespace': 'string', strategies: 'string', 'database-url': 'string', snapshot: 'string', since: 'string', scenario: 'string', out: 'string', json: 'boolean' } as const;
  const args = parseCommandArgs({ command: 'verify', usage: VERIFY_USAGE, flags }, argv, o.out);
  if (!args) return EXIT_OK;
  const v = args.values;
  const ns = v['schema-namespace'];
  if (!ns) throw new UsageError('--schema-namespace: required (serve\'s default namespace is "serve")');
  checkNamespace(ns);
  if (v.snapshot && v.since) throw new UsageError('--snapshot and --since: one or the other (the snapshot is taken before the load, --since reads it after)');
  const ids = parseStrategies(v.strategies);
  const url = v['database-url'] ?? (process.env.DATABASE_URL || undefined);
  if (!url) throw new UsageError('--database-url: required (or DATABASE_URL): verify checks the server the load drove');
  let since: VerifySnapshot | undefined;
  if (v.since) {
    try {
      since = JSON.parse(fs.readFileSync(v.since, 'utf8')) as VerifySnapshot;
    } catch (e) {
      throw new UsageError(`--since: cannot read ${v.since}: ${(e as Error).message}`);
    }
    if (since?.kind !== 'counterbench-verify-snapshot') throw new UsageError(`--since: ${v.since} is not a snapshot written by 'counterbench verify --snapshot'`);
    if (since.namespace !== ns) throw new UsageError(`--since: ${v.since} is a snapshot of namespace "${since.namespace}", not "${ns}"`);
  }
  const scenario = loadScenario(v.scenario ?? 'default');
  if (!v.scenario) scenario.thresholds = [];
  const version = await probePostgres(url, v['database-url'] ? '--database-url' : 'DATABASE_URL');
  let admin: pg.Client | undefined;
  let redis: Redis | undefined;
  try {
    admin = await connectPg(url, { applicationName: 'counterbench:verify' });
    const deployed = await deployedIn(admin, ns, ids, scenario.options);
    if (!deployed.length) throw new UsageError(`--schema-namespace: no strategy schema counterbench_${ns}_<id> found on the server (PostgreSQL ${version})`);
    if (v.snapshot) {
      const snap = await takeSnapshot(admin, ns, deployed);
      try {
        fs.writeFileSync(v.snapshot, JSON.stringify(snap) + '\n');
      } catch (e) {
        throw new UsageError(`--snapshot: cannot write ${v.snapshot}: ${(e as Error).message}`);
      }
      o.out(`snapshot of ${deployed.map((d) => d.strategy.id).join(', ')} written to ${v.snapshot}; after the load: counterbench verify --schema-namespace ${ns} --since ${v.snapshot}`);
      return EXIT_OK;
    }
    let redisVersion: string | null = null;
    if (deployed.some((d) => d.strategy.needsRedis) && process.env.REDIS_URL) {
      redis = connectRedis(process.env.REDIS_URL);
      redis.on('error', () => {});
      await redis.connect().catch(() => (redis = undefined));
      if (redis) redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null;
    }
    const runId = newRunId();
    const outDir = await prepareOutDir(v.out ?? path.join('out', `verify-${runId}`), '--out');
    const environment = await collectEnvironment(admin, 'url', redisVersion);
    const results = await verify({ url, admin, redis, namespace: ns, deployed, scenario, since, runId, environment });
    const written = writeResultsFile(results, outDir.dir);
    if (written.fallback) o.err(`counterbench verify: ${written.fallback}`);
    const reports = await writeReportsAfterRun('verify', { results, resultsPath: written.path, outDir: outDir.dir }, o);
    if (v.json) o.out(JSON.stringify(results, null, 2));
    else {
      o.out(renderSummary(results));
      o.out(`\nresults: ${written.path}`);
      for (const r of reports) o.out(`report:  ${r}`);
    }
    return (results.run.thresholds ?? []).some((t) => !t.passed) ? EXIT_FAILED_CHECK : EXIT_OK;
  } finally {
    redis?.disconnect();
    await admin?.end().catch(() => {});
  }
}
