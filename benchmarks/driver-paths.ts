// How close each way of sending the baseline's prepared INSERT comes to pgbench: pgbench -M
// prepared, a bare loop of node-postgres queries, a bare loop on the lean connection
// (harness/db/lean), and the harness's own driver (runPhase) on each path. Same server, same
// schema, same statement and parameters, N clients in a closed loop, each measured in rounds
// (their order rotating) after a short warm-up. Prints, per round and as medians over the rounds,
// ops/s, the ratio to pgbench of the same round and the client's own CPU per operation, with the
// machine's load average; asserts nothing (a benchmark, not a test).
//
//   npm run bench:driver -- [--seconds N] [--clients N] [--rounds N]
//
// Uses DATABASE_URL when set (creating and dropping one counterbench_ schema there), else an
// embedded PostgreSQL. Without pgbench on PATH its row is left out and ratios are not shown.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openPostgres } from '../harness/provision/postgres.ts';
import { connectPg } from '../harness/db/connect.ts';
import { connectLean, driverPathFor, type DriverPath } from '../harness/db/lean/connect.ts';
import { dropSchema } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { baseline } from '../harness/strategies/baseline.ts';
import { insertAnswer } from '../harness/strategies/statements.ts';
import type { PgQueryClient, StrategyContext } from '../harness/strategies/types.ts';
import { redisPrefixFor } from '../harness/strategies/redis-keys.ts';
import { runPhase } from '../harness/load/driver.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { truthByUser } from '../harness/measure/drift.ts';
import { CALIBRATE_DATA, PGBENCH_THREADS, warmupSecondsFor } from '../harness/calibrate/calibrate.ts';
import { BENCH_ANSWER, findOnPath, runPgbench } from '../harness/calibrate/pgbench.ts';
import { renderTable } from '../harness/cli/summary.ts';
import { scrub, secretsOf } from '../harness/redact.ts';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' } },
});
const seconds = Number(args.seconds);
const clients = Number(args.clients);
const rounds = Number(args.rounds);
for (const [k, v] of Object.entries({ seconds, clients, rounds })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${k}: expected a whole number of at least 1`);
    process.exit(2);
  }
}
const warmup = warmupSecondsFor(seconds);
const data = CALIBRATE_DATA;

interface Figures {
  opsPerSec: number;
  cpuUsPerOp?: number;
  errors: number;
}

/** N connections of one kind, each inserting back to back: the client library and nothing else. */
async function bareLoop(connect: () => Promise<PgQueryClient>): Promise<Figures> {
  const conns = await Promise.all(Array.from({ length: clients }, connect));
  try {
    let ops = 0;
    let errors = 0;
    let counting = false;
    const run = (ms: number) => {
      const until = performance.now() + ms;
      return Promise.all(
        conns.map(async (c) => {
          const a = { userId: 0, sessionId: 0, ...BENCH_ANSWER };
          while (performance.now() < until) {
            // the user drawn as pgbench's script and the driver draw it: uniform, active session
            a.userId = 1 + Math.floor(Math.random() * data.users);
            a.sessionId = a.userId * data.sessionsPerUser;
            try {
              await insertAnswer(c, a);
              if (counting) ops++;
            } catch {
              if (counting) errors++;
            }
          }
        }),
      );
    };
    await run(warmup * 1000);
    counting = true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { opsPerSec: ops / elapsed, cpuUsPerOp: ops ? (cpu.user + cpu.system) / ops : undefined, errors };
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => {})));
  }
}

const target = await openPostgres({ databaseUrl: process.env.DATABASE_URL });
const secrets = secretsOf(target.url);
const ns = 'drvbench';
const ctx: StrategyContext = {
  schema: schemaFor(baseline.id, ns),
  redisPrefix: redisPrefixFor(ns, baseline.id),
  users: data.users,
  options: scenarioFromObject({}).options,
};
const admin = await connectPg(target.url, { applicationName: 'counterbench:bench:driver' });
const pgbench = findOnPath('pgbench');
const appName = 'counterbench:bench:driver';

try {
  const d = await deployStrategy(target.url, admin, baseline, ctx, data, undefined);
  if (d.status !== 'ok') throw new Error(`baseline did not deploy: ${d.reason}`);
  const check = await connectPg(target.url, { schema: ctx.schema, applicationName: appName });
  const ledger = new Ledger(data.users, await truthByUser(check));
  await check.end();

  const driver = async (path: DriverPath): Promise<Figures> => {
    const scenario = scenarioFromObject(
      {
        name: 'bench-driver',
        strategies: [baseline.id],
        data,
        load: { model: 'closed', clients },
        phases: { warmup, duration: seconds },
        mix: { write: 100, read: 0, delete: 0 },
        keys: { distribution: 'uniform' },
        options: { driftSampleInterval: 0, driver: path },
      },
      {},
      '(bench)',
    );
    const r = await runPhase({ strategy: baseline, ctx, pgUrl: target.url, scenario, ledger, seed: 1 });
    const w = r.ops.write;
    const tput = w?.throughput ?? 0;
    return { opsPerSec: tput, cpuUsPerOp: tput > 0 ? (r.harness.cpuPct / 100) * (1e6 / tput) : undefined, errors: w?.errors ?? 0 };
  };

  const sides: { name: string; run: () => Promise<Figures> }[] = [
    ...(pgbench
      ? [
          {
            name: 'pgbench -M prepared',
            run: async (): Promise<Figures> => {
              const o = { url: target.url, schema: ctx.schema, users: data.users, sessionsPerUser: data.sessionsPerUser, clients, threads: PGBENCH_THREADS };
              await runPgbench(pgbench, { ...o, seconds: warmup });
              const p = await runPgbench(pgbench, { ...o, seconds });
              return { opsPerSec: p.tps, cpuUsPerOp: p.cpuUsPerOp, errors: p.failed };
            },
          },
        ]
      : []),
    { name: 'pg, bare loop', run: () => bareLoop(() => connectPg(target.url, { schema: ctx.schema, applicationName: appName })) },
    { name: 'lean, bare loop', run: () => bareLoop(() => connectLean(target.url, { schema: ctx.schema, applicationName: appName })) },
    { name: 'harness driver, pg', run: () => driver('pg') },
    { name: `harness driver, ${driverPathFor(target.url)}`, run: () => driver('lean') },
  ];

  console.log(`driver paths: the baseline INSERT, ${clients} clients closed loop, ${warmup}s warm-up + ${seconds}s each, ${rounds} round(s)`);
  console.log(`target: ${target.kind}, PostgreSQL ${target.version}; node ${process.version}; ${os.cpus().length} cpus`);
  const rows = [['round', 'client', 'ops/s', 'x pgbench', 'client CPU µs/op', 'errors', 'load avg 1m']];
  const load = () => os.loadavg()[0].toFixed(2);
  const all = new Map<string, { ops: number[]; ratio: number[]; cpu: number[] }>(sides.map((x) => [x.name, { ops: [], ratio: [], cpu: [] }]));
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let pgbenchOps: number | undefined;
    // rotate the order so that the machine's drift falls on every side alike
    const order = sides.map((_, i) => sides[(i + round) % sides.length]);
    const results = new Map<string, Figures & { load: string }>();
    for (const side of order) {
      const l = load();
      loads.push(os.loadavg()[0]);
      const f = await side.run();
      results.set(side.name, { ...f, load: `${l}-${load()}` });
      if (side.name.startsWith('pgbench')) pgbenchOps = f.opsPerSec;
    }
    for (const side of sides) {
      const f = results.get(side.name)!;
      const a = all.get(side.name)!;
      a.ops.push(f.opsPerSec);
      if (pgbenchOps) a.ratio.push(f.opsPerSec / pgbenchOps);
      if (f.cpuUsPerOp !== undefined) a.cpu.push(f.cpuUsPerOp);
      rows.push([
        String(round + 1),
        side.name,
        f.opsPerSec.toFixed(0),
        pgbenchOps ? (f.opsPerSec / pgbenchOps).toFixed(2) : '-',
        f.cpuUsPerOp === undefined ? '-' : f.cpuUsPerOp.toFixed(1),
        String(f.errors),
        f.load,
      ]);
    }
  }
  console.log('');
  console.log(renderTable(rows));
  const median = (xs: number[]) => {
    if (!xs.length) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const summary = [['medians', 'ops/s', 'x pgbench', 'client CPU µs/op']];
  for (const side of sides) {
    const a = all.get(side.name)!;
    summary.push([side.name, f(median(a.ops), 0), f(median(a.ratio), 2), f(median(a.cpu), 1)]);
  }
  console.log('');
  console.log(renderTable(summary));
  console.log(`load average (1 min) at the start of each measurement: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  if (!pgbench) console.log('\npgbench is not on PATH: no ratios');
} catch (e) {
  console.error(scrub((e as Error).message, secrets));
  process.exitCode = 1;
} finally {
  await dropSchema(admin, ctx.schema).catch(() => {});
  await admin.end().catch(() => {});
  await target.stop();
}
