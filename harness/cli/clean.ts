// `counterbench clean`: stops and removes the servers and folders that earlier runs left in the
// temp dir (after a SIGKILL or a crash), removes every counterbench_* schema (and counterbench:*
// Redis key) a run left on a server, and says what it removed and what it left alone.
import { probePostgres } from '../provision/postgres.ts';
import { connectPg } from '../db/connect.ts';
import { dropSchema, listOwnSchemas } from '../db/schemas.ts';
import { checkNamespace, namespaceOfSchema } from '../db/schema-name.ts';
import { activeRuns, namespaceInUse } from '../db/run-lock.ts';
import { ALL_STRATEGY_IDS } from '../config/strategy-ids.ts';
import { connectRedis } from '../provision/redis.ts';
import { cleanLeftovers, type Leftovers } from '../provision/leftovers.ts';
import { cleanContainers, NO_ENGINE, type ContainerLeftovers } from '../provision/container-leftovers.ts';
import { deleteKeys, REDIS_PREFIX } from '../strategies/redis-keys.ts';
import { describeUrl } from '../redact.ts';
import { UsageError } from '../errors.ts';
import type { Output } from './output.ts';
import { parseCommandArgs } from './args.ts';

export const CLEAN_USAGE = `usage: counterbench clean [--database-url URL] [--namespace NS] [--json]

Stops the embedded PostgreSQL and redis-server that earlier runs of counterbench left running
(killed, or crashed) and removes their folders from the temp dir, and removes the containers they
left (by counterbench's label, in the Docker engine if one answers). A folder or container whose
counterbench is still running is left alone, and said so; so is a container started from another
host (a shared engine: its counterbench cannot be seen from here) or one the engine will not remove.
With --database-url or DATABASE_URL, also drops every counterbench_* schema on that server, and
with REDIS_URL every counterbench:* key in that Redis.

  --database-url URL  the server whose schemas to drop (default: DATABASE_URL)
  --namespace NS      only the schemas of runs made with --namespace NS; nothing else
  --json              say what was removed as JSON on stdout`;

function describeLocal(l: Leftovers, o: Output): void {
  for (const r of l.removed) {
    const server = r.stopped.length ? `stopped ${r.kind} (pid ${r.stopped.join(', ')}${r.port ? `, port ${r.port}` : ''}) and ` : '';
    const owner = r.ownerPid === null ? 'no owner record, no server running' : `its counterbench (pid ${r.ownerPid}) is gone`;
    o.out(`${server}removed ${r.path} (${owner})`);
  }
  for (const k of l.kept) o.out(`left alone ${k.path}: ${k.reason}`);
  if (!l.removed.length && !l.kept.length) o.out(`no server folders of earlier runs in ${l.tmpdir}`);
}

function describeContainers(c: ContainerLeftovers, o: Output): void {
  for (const r of c.removed) o.out(`removed container ${r.id} (${r.image}, ${r.role}; ${r.ownerPid === null ? 'no owner label' : `its counterbench (pid ${r.ownerPid}) is gone`})`);
  // live runs' containers (and a machine without Docker) are the normal case and would crowd the
  // folders' lines (--json lists them under containers.kept / .skipped); another host's, an
  // unlabelled one, a failed removal or an engine that would not list are not
  for (const k of c.kept) if (!k.live) o.out(`left alone container ${k.id} (${k.image}): ${k.reason}`);
  if (c.skipped && c.skipped !== NO_ENGINE) o.err(`containers not cleaned: ${c.skipped}`);
}

export async function cleanCommand(argv: string[], o: Output): Promise<number> {
  const args = parseCommandArgs(
    { command: 'clean', usage: CLEAN_USAGE, flags: { 'database-url': 'string', namespace: 'string', json: 'boolean' } },
    argv,
    o.out,
  );
  if (!args) return 0;
  const { values } = args;
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  const namespace = checkNamespace(values.namespace);
  if (namespace && !url) throw new UsageError('--namespace names schemas on a server: set DATABASE_URL or pass --database-url');
  // a namespace names one run's schemas; the temp dir's folders are not namespaced
  const local = namespace ? undefined : cleanLeftovers();
  const containers = namespace ? undefined : await cleanContainers();

  let schemas: string[] | undefined;
  const keptSchemas: Array<{ schema: string; reason: string }> = [];
  let liveRuns = 0;
  if (url) {
    await probePostgres(url, values['database-url'] ? '--database-url' : 'DATABASE_URL');
    const c = await connectPg(url, { applicationName: 'counterbench:clean' });
    schemas = [];
    try {
      // a live run holds its namespace's lock: its schemas are in use, not left behind
      liveRuns = (await activeRuns(c)).length;
      for (const s of await listOwnSchemas(c, namespace)) {
        const ns = namespaceOfSchema(s, ALL_STRATEGY_IDS);
        const live = ns === null ? liveRuns > 0 : await namespaceInUse(c, ns);
        if (live) {
          keptSchemas.push({ schema: s, reason: ns === null ? 'a counterbench run is live on this server' : `the run in ${ns ? `namespace ${ns}` : 'the default namespace'} is still live` });
          continue;
        }
        await dropSchema(c, s);
        schemas.push(s);
      }
    } finally {
      await c.end();
    }
  }
  let redisKeys: number | undefined;
  if (liveRuns) {
    if (process.env.REDIS_URL && !namespace) o.err('Redis not cleaned: a counterbench run is live on the server, and its keys may be in use; run clean again when it has finished');
  } else if (process.env.REDIS_URL && !namespace) {
    const r = connectRedis(process.env.REDIS_URL);
    r.on('error', () => {});
    try {
      await r.connect();
      redisKeys = await deleteKeys(r, REDIS_PREFIX);
    } catch (e) {
      o.err(`Redis at ${describeUrl(process.env.REDIS_URL)} not cleaned: ${(e as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  if (values.json) {
    o.out(JSON.stringify({ local, containers, schemas, keptSchemas, redisKeys }));
    return 0;
  }
  if (local) describeLocal(local, o);
  if (containers) describeContainers(containers, o);
  if (schemas?.length) o.out(`removed ${schemas.length} schema(s): ${schemas.join(', ')}`);
  else if (schemas && !keptSchemas.length) o.out('no counterbench_* schemas to remove');
  for (const k of keptSchemas) o.out(`left alone ${k.schema}: ${k.reason}`);
  if (redisKeys !== undefined) o.out(`removed ${redisKeys} Redis key(s) under ${REDIS_PREFIX}*`);
  return 0;
}
