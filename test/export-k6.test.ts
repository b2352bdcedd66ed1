// export k6: the scripts compile against @types/k6; their request logic, run in Node under a
// minimal shim of the k6 API against a real serve and Postgres, draws counterbench's own
// operations and keys and leaves rows the drift check accepts; the SQL target's statements run
// on Postgres; import reads k6's documented summary formats.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { loadScenario, listScenarios } from '../harness/config/scenario.ts';
import { k6Script, k6Tsconfig, XK6_SQL_TYPES, k6Scenarios } from '../harness/export/k6-script.ts';
import { replayStatements } from '../harness/export/sql-statements.ts';
import { parseK6Summary, importOps, type K6Summary } from '../harness/export/k6-import.ts';
import { translateThresholds } from '../harness/export/k6-thresholds.ts';
import { testRunManifest } from '../harness/export/k6-operator.ts';
import { strategyById } from '../harness/strategies/index.ts';
import { connectPg } from '../harness/db/connect.ts';
import { dropSchema } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { exactCheck } from '../harness/measure/drift.ts';
import { spawnCli, type RunProcess } from './support/own-servers.ts';
import { createRng, deriveSeed } from '../harness/load/rng.ts';
import { createKeyPicker } from '../harness/load/keys.ts';
import { createOpPicker } from '../harness/load/mix.ts';
import { planArrivals } from '../harness/load/open-model.ts';
import { OPS } from '../harness/load/ops.ts';
import type { Scenario } from '../harness/config/types.ts';
import type { StrategyContext } from '../harness/strategies/types.ts';
import { main } from '../harness/cli/main.ts';
import { deployedIn, takeSnapshot, verify } from '../harness/export/verify.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import { TEST_OPTIONS } from './support/deployed.ts';
import type { Results } from '../harness/results/types.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';
import { stopSyncFetch } from './support/k6-shim/sync-fetch.ts';

const SHIM = path.resolve('test/support/k6-shim');

/** The script with its k6 imports pointed at the shim, written where it can be imported. */
async function loadUnderShim(script: string, dir: string, name: string): Promise<Record<string, any>> {
  const shimmed = script
    .replace(/from 'k6\/http'/g, `from '${SHIM}/http.ts'`)
    .replace(/from 'k6\/execution'/g, `from '${SHIM}/execution.ts'`)
    .replace(/from 'k6\/metrics'/g, `from '${SHIM}/metrics.ts'`)
    .replace(/from 'k6'/g, `from '${SHIM}/k6.ts'`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, shimmed);
  return import(file);
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-k6-'));
  (globalThis as Record<string, unknown>).__ENV = {};
});
afterAll(async () => {
  await stopSyncFetch();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('export k6: the scripts', () => {
  it('compile against @types/k6 for every built-in run scenario, both targets', () => {
    const files: string[] = [];
    const runScenarios = listScenarios().filter((s) => s.kind === 'run');
    expect(runScenarios.map((s) => s.name)).toContain('http-smoke');
    for (const { name } of runScenarios) {
      const scenario = loadScenario(name);
      const f = `${name}.http.k6.ts`;
      fs.writeFileSync(path.join(tmp, f), k6Script({ scenario, target: 'http', expectedLatencyMs: 50, seed: scenario.seed + 1, command: 'test' }));
      files.push(f);
    }
    return replayStatements(strategyById('production-trigger')!, { schema: 'counterbench_x_production_trigger', redisPrefix: 'counterbench:x:', users: 10, options: loadScenario('smoke').options }).then((st) => {
      if (typeof st === 'string') throw new Error(st);
      const scenario = loadScenario('smoke');
      fs.writeFileSync(path.join(tmp, 'smoke.sql.k6.ts'), k6Script({ scenario, target: 'sql', sql: { strategy: 'production-trigger', schema: 'counterbench_x_production_trigger', statements: st }, expectedLatencyMs: 50, seed: 2, command: 'test' }));
      fs.writeFileSync(path.join(tmp, 'xk6-sql.d.ts'), XK6_SQL_TYPES);
      files.push('smoke.sql.k6.ts', 'xk6-sql.d.ts');
      fs.writeFileSync(path.join(tmp, 'tsconfig.json'), k6Tsconfig(files));
      const tsc = path.resolve('node_modules/typescript/bin/tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', tmp, '--typeRoots', path.resolve('node_modules/@types')], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  });

  it('maps the load model to executors, thresholds to k6 syntax, and writes a TestRun', () => {
    const closed = k6Scenarios(loadScenario('smoke'), 50);
    expect(closed.warmup).toMatchObject({ executor: 'constant-vus', vus: 4, duration: '1000ms', tags: { phase: 'warmup' } });
    expect(closed.measure).toMatchObject({ executor: 'constant-vus', vus: 4, duration: '3000ms', startTime: '1000ms', tags: { phase: 'measure' } });
    const open = loadScenario('open-smoke');
    const o = k6Scenarios(open, 50);
    expect(o.measure).toMatchObject({ executor: 'constant-arrival-rate', rate: (open.load as { rate: number }).rate, timeUnit: '1s' });
    // rate × expected latency, doubled, and never more than counterbench's maxInFlight
    const rate = (open.load as { rate: number }).rate;
    expect(o.measure.preAllocatedVUs).toBe(Math.max(open.load.clients, Math.ceil(rate * 0.05 * 2)));
    expect(o.measure.maxVUs).toBe((open.load as { maxInFlight: number }).maxInFlight);
    const ramp = loadScenario('open-smoke');
    ramp.phases.stages = [{ durationSeconds: 2, target: rate * 2 }];
    expect(k6Scenarios(ramp, 50).measure).toMatchObject({ executor: 'ramping-arrival-rate', startRate: rate, stages: [{ duration: '2000ms', target: rate * 2 }, { duration: '1000ms', target: rate * 2 }] });
    const closedRamp = loadScenario('smoke');
    closedRamp.phases.stages = [{ durationSeconds: 1, target: 8 }];
    expect(k6Scenarios(closedRamp, 50).measure).toMatchObject({ executor: 'ramping-vus', startVUs: 4 });

    const t = translateThresholds([
      { expression: 'ops.write.latencyMs.p99 < 50', metric: 'ops.write.latencyMs.p99', op: '<', value: 50 },
      { expression: 'ops.read.errors == 0', metric: 'ops.read.errors', op: '==', value: 0 },
      { expression: 'ops.write.throughput >= 100', metric: 'ops.write.throughput', op: '>=', value: 100 },
      { expression: 'drift.lost == 0', metric: 'drift.lost', op: '==', value: 0 },
    ]);
    expect(t.k6).toEqual({
      'counterbench_op_duration{op:write,phase:measure}': ['p(99)<50'],
      'counterbench_op_failures{op:read,phase:measure}': ['count==0'],
      'counterbench_op_completed{op:write,phase:measure}': ['rate>=100'],
    });
    expect(t.left).toEqual([{ expression: 'drift.lost == 0', why: expect.stringMatching(/verify/) }]);

    const m = testRunManifest({ name: 'counterbench-smoke-http', configMap: 'counterbench-smoke-http', file: 'smoke.http.k6.ts', parallelism: 4, target: 'http' });
    expect(m).toMatch(/kind: TestRun/);
    expect(m).toMatch(/parallelism: 4/);
    expect(m).toMatch(/file: smoke.http.k6.ts/);
  });

  it("draws the open model's arrivals as counterbench plans them, iteration k taking arrival k", async () => {
    const s = loadScenario('open-smoke');
    s.keys = { kind: 'zipfian', exponent: 1.1 };
    const mod = await loadUnderShim(k6Script({ scenario: s, target: 'http', expectedLatencyMs: 50, seed: s.seed + 1, command: 'test' }), tmp, 'open.ts');
    const exec = (await import(`${SHIM}/execution.ts`)).default;
    const plan = planArrivals(s, s.seed + 1);
    const warm = Math.ceil((s.load as { rate: number }).rate * s.phases.warmupSeconds);
    for (const k of [0, 1, 2, warm - 1, warm, warm + 7, plan.at.length - 1]) {
      exec.scenario.name = k < warm ? 'warmup' : 'measure';
      exec.scenario.iterationInTest = k < warm ? k : k - warm;
      expect(mod.next()).toEqual({ op: OPS[plan.ops[k]], userId: plan.users[k] });
    }
  });
});

describe('export k6: the request logic against serve and Postgres', () => {
  const tag = uniqueTag();
  const strategy = strategyById('trigger-fixed')!;
  const s: Scenario = loadScenario('http-smoke');
  const ctx: StrategyContext = { schema: schemaFor(strategy.id, tag), redisPrefix: `counterbench:${tag}:`, users: s.data.users, options: s.options };
  let admin: pg.Client;
  // the real command in a process of its own: the shim's synchronous requests block this thread
  let serve: RunProcess;
  let url = '';

  beforeAll(async () => {
    admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test:k6' });
    serve = spawnCli(['serve', '--strategy', strategy.id, '--port', '0', '--pool', '4', '--namespace', tag, '--scenario', 'http-smoke', '--database-url', testDatabaseUrl(), '--keep', '--json'], process.env);
    const deadline = Date.now() + 60_000;
    while (!url && Date.now() < deadline) {
      const line = serve.output().split('\n').find((l) => l.startsWith('{'));
      if (line) url = JSON.parse(line).url;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, serve.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGTERM');
    await serve?.exited;
    await dropSchema(admin, ctx.schema).catch(() => {});
    await admin?.end();
  });

  it("sends counterbench's own operations and keys per VU, records them per operation, and leaves exact counters", async () => {
    (globalThis as Record<string, unknown>).__ENV = { BASE_URL: url };
    const script = k6Script({ scenario: s, target: 'http', expectedLatencyMs: 50, seed: s.seed + 1, command: 'test' });
    const exec = (await import(`${SHIM}/execution.ts`)).default;
    const { requests } = await import(`${SHIM}/http.ts`);
    const { samples } = await import(`${SHIM}/metrics.ts`);
    const VUS = s.load.clients;
    const PER_VU = 60;
    // k6 gives every VU a runtime of its own: here, a module instance each
    const vus = [];
    for (let vu = 1; vu <= VUS; vu++) vus.push(await loadUnderShim(script, tmp, `closed-vu${vu}.ts`));
    const before = Number((await admin.query(`SELECT count(*) AS n FROM ${ctx.schema}.user_answers_new`)).rows[0].n);
    const lines: string[] = [];
    const o = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    const snap = path.join(tmp, 'before.json');
    expect(await main(['verify', '--schema-namespace', tag, '--strategies', strategy.id, '--database-url', testDatabaseUrl(), '--snapshot', snap], o)).toBe(0);
    // the VUs take turns, as k6's would interleave
    for (let i = 0; i < PER_VU; i++) {
      for (let vu = 1; vu <= VUS; vu++) {
        exec.vu.idInTest = vu;
        exec.scenario.name = 'measure';
        vus[vu - 1].default();
      }
    }
    expect(requests).toHaveLength(VUS * PER_VU);
    expect(requests.every((r: { status: number }) => r.status >= 200 && r.status < 300)).toBe(true);

    // VU n draws what counterbench's client n-1 draws with the run's seed
    const expected: Array<{ op: string; u: number }> = [];
    const pickers = Array.from({ length: VUS }, (_, i) => {
      const rng = createRng(deriveSeed(s.seed + 1, i));
      return { user: createKeyPicker(s.keys, s.data.users, rng), op: createOpPicker(s.mix, rng) };
    });
    for (let i = 0; i < PER_VU; i++) for (const p of pickers) {
      const op = p.op();
      expected.push({ op, u: p.user() });
    }
    const sent = requests.map((r: { method: string; url: string; body: string | null }) => {
      if (r.method === 'POST') return { op: 'write', u: JSON.parse(r.body!).userId };
      if (r.method === 'GET') return { op: 'read', u: Number(/users\/(\d+)\//.exec(r.url)![1]) };
      return { op: 'delete', u: Number(/userId=(\d+)/.exec(r.url)![1]) };
    });
    expect(sent).toEqual(expected);
    // the scenario's mix, within what 240 draws allow
    const share = (op: string) => sent.filter((x: { op: string }) => x.op === op).length / sent.length;
    expect(share('write')).toBeGreaterThan(0.6);
    expect(share('read')).toBeGreaterThan(0.15);
    expect(share('write') + share('read') + share('delete')).toBe(1);
    // the hot set: half of the operations on users 1..20
    expect(sent.filter((x: { u: number }) => x.u <= 20).length / sent.length).toBeGreaterThan(0.35);

    // one duration and one completion per operation, tagged with it and the phase
    const completed = samples.filter((m: { metric: string }) => m.metric === 'counterbench_op_completed');
    expect(completed).toHaveLength(VUS * PER_VU);
    expect(completed.filter((m: { tags: Record<string, string> }) => m.tags.op === 'write' && m.tags.phase === 'measure')).toHaveLength(sent.filter((x: { op: string }) => x.op === 'write').length);

    // real rows: every write added one, every delete that found one removed it; counters exact
    const writes = sent.filter((x: { op: string }) => x.op === 'write').length;
    const removed = requests.filter((r: { method: string }) => r.method === 'DELETE').length;
    const after = Number((await admin.query(`SELECT count(*) AS n FROM ${ctx.schema}.user_answers_new`)).rows[0].n);
    expect(after).toBe(before + writes - removed); // every user has answers to delete (5 seeded each)
    const c = await connectPg(testDatabaseUrl(), { schema: ctx.schema, applicationName: 'counterbench:test:k6:check' });
    try {
      for (const k of await exactCheck(c, undefined, strategy, ctx)) expect([k.name, k.usersInconsistent]).toEqual([k.name, 0]);
    } finally {
      await c.end();
    }

    // serve stops (its pool's backends exit, so their statistics are flushed) and keeps the schema
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(130);
    expect((await admin.query('SELECT to_regclass($1) AS t', [`${ctx.schema}.users`])).rows[0].t).not.toBeNull();
    // verify: the same check and the server's cost since the snapshot; import: both beside k6's figures
    const vdir = path.join(tmp, 'verify');
    expect(await main(['verify', '--schema-namespace', tag, '--strategies', strategy.id, '--database-url', testDatabaseUrl(), '--since', snap, '--scenario', 'http-smoke', '--out', vdir], o), lines.join('\n')).toBe(0);
    const v = JSON.parse(fs.readFileSync(path.join(vdir, 'results.json'), 'utf8')) as Results;
    expect(v.strategies.map((x) => [x.id, x.status, x.drift?.consistent])).toEqual([[strategy.id, 'ok', true]]);
    const server = v.strategies[0].server as { walBytesPerWrite: number; tables: Array<{ name: string; inserts: number }> };
    expect(server.tables.find((t) => t.name === 'user_answers_new')!.inserts, JSON.stringify((server as unknown as { notes: string[] }).notes)).toBe(writes);
    expect(server.walBytesPerWrite).toBeGreaterThan(0);
    const idir = path.join(tmp, 'imported');
    expect(await main(['import', 'k6', path.resolve('test/fixtures/k6/handle-summary.json'), '--verify', path.join(vdir, 'results.json'), '--scenario', 'http-smoke', '--out', idir], o)).toBe(0);
    const imp = JSON.parse(fs.readFileSync(path.join(idir, 'results.json'), 'utf8')) as Results;
    expect(imp.strategies[0]).toMatchObject({ id: strategy.id, drift: { consistent: true }, ops: { write: { count: 1260 } } });
    expect(fs.readFileSync(path.join(idir, 'summary.md'), 'utf8')).toMatch(/exact/);
    expect(await main(['verify', '--schema-namespace', 'nosuchns', '--database-url', testDatabaseUrl()], o)).toBe(2);
  });

  it("the SQL target's statements, with the script's arguments, do the strategy's work on Postgres", async () => {
    const st = await replayStatements(strategy, ctx);
    if (typeof st === 'string') throw new Error(st);
    const c = await connectPg(testDatabaseUrl(), { schema: ctx.schema, applicationName: 'counterbench:test:k6:sql' });
    try {
      const vars = { userId: 7, sessionId: 7 * s.data.sessionsPerUser, questionJsonId: 'q-k6', rawAnswer: 'an answer saved by k6' };
      const args = (a: string[]) => a.map((x) => new Function(...Object.keys(vars), `return ${x}`)(...Object.values(vars)));
      const read = async () => Number(Object.values((await c.query(st.read.text, args(st.read.args))).rows[0])[0]);
      const n0 = await read();
      await c.query(st.write.text, args(st.write.args));
      expect(await read()).toBe(n0 + 1);
      expect((await c.query(st.delete.text, args(st.delete.args))).rowCount).toBe(1);
      expect(await read()).toBe(n0);
    } finally {
      await c.end();
    }
    expect(await replayStatements(strategyById('redis-queue')!, ctx)).toMatch(/Redis/);
    expect(await replayStatements(strategyById('manual-update')!, ctx)).toMatch(/application counts/);
  });
});

describe('verify --since: several strategies in one namespace', () => {
  const tag = uniqueTag();
  const ids = ['trigger-fixed', 'manual-update'];
  const data = { users: 10, sessionsPerUser: 2, answersPerUser: 2, answersSkew: 0 };
  let admin: pg.Client;
  beforeAll(async () => {
    admin = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test:verify' });
    for (const id of ids) {
      const ctx: StrategyContext = { schema: schemaFor(id, tag), redisPrefix: `counterbench:${tag}:`, users: data.users, options: TEST_OPTIONS };
      await deployStrategy(testDatabaseUrl(), admin, strategyById(id)!, ctx, data, undefined);
    }
  });
  afterAll(async () => {
    for (const id of ids) await dropSchema(admin, schemaFor(id, tag)).catch(() => {});
    await admin?.end();
  });

  // named like serve's pool, so that verify's settle waits for its statistics
  async function load(id: string): Promise<void> {
    const ctx: StrategyContext = { schema: schemaFor(id, tag), redisPrefix: `counterbench:${tag}:`, users: data.users, options: TEST_OPTIONS };
    const c = await connectPg(testDatabaseUrl(), { schema: ctx.schema, applicationName: `counterbench:${id}:serve` });
    try {
      for (let i = 0; i < 20; i++) {
        const userId = 1 + (i % data.users);
        await strategyById(id)!.write({ pg: c, ctx }, { userId, sessionId: userId * data.sessionsPerUser, questionJsonId: `q-${i}`, rawAnswer: 'saved by the test' });
      }
    } finally {
      await c.end();
    }
  }

  it('charges WAL per write to the one strategy loaded, and to none when two were', async () => {
    const scenario = loadScenario('smoke');
    scenario.thresholds = [];
    const deployed = await deployedIn(admin, tag, ids, TEST_OPTIONS);
    expect(deployed.map((d) => [d.strategy.id, d.ctx.users]).sort()).toEqual(ids.map((id) => [id, data.users]).sort());
    const run = async (since: Awaited<ReturnType<typeof takeSnapshot>>) => {
      const r = await verify({ url: testDatabaseUrl(), admin, namespace: tag, deployed, scenario, since, runId: 'test', environment: {} as Results['run']['environment'] });
      return (id: string) => r.strategies.find((x) => x.id === id)!.server as { walBytesPerWrite: number | null; walFpiPerWrite: number | null; buffersPerOp: number | null; ops: { writes: number }; wal: { bytes: number }; notes: string[] };
    };

    const first = await takeSnapshot(admin, tag, deployed);
    await load('trigger-fixed');
    const one = await run(first);
    expect(one('trigger-fixed').ops.writes).toBe(20);
    expect(one('trigger-fixed').walBytesPerWrite).toBeGreaterThan(0);
    expect(one('trigger-fixed').notes.join(' ')).not.toMatch(/cannot be split/);

    const since = await takeSnapshot(admin, tag, deployed);
    await load('trigger-fixed');
    await load('manual-update');
    const two = await run(since);
    for (const id of ids) {
      const server = two(id);
      expect(server.ops.writes).toBe(20);
      expect(server.wal.bytes).toBeGreaterThan(0);
      expect([server.walBytesPerWrite, server.walFpiPerWrite, server.buffersPerOp]).toEqual([null, null, null]);
      expect(server.notes.join(' ')).toMatch(/2 strategies .*\((trigger-fixed, manual-update|manual-update, trigger-fixed)\).*cannot be split/);
    }
  });
});

describe('serve and export: bad flags, in the words of every other command', () => {
  it('a port already taken, a port out of range, a count out of range: one line, exit 2', async () => {
    const net = await import('node:net');
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const run = async (argv: string[]) => {
      const err: string[] = [];
      const code = await main(argv, { out: () => {}, err: (l: string) => err.push(l), tty: false });
      return [code, err];
    };
    try {
      const serve = ['serve', '--strategy', 'trigger-fixed', '--namespace', uniqueTag(), '--database-url', testDatabaseUrl()];
      expect(await run([...serve, '--port', String(port)])).toEqual([2, [`counterbench serve: --port: cannot listen on 127.0.0.1:${port}: already in use`]]);
      expect(await run([...serve, '--port', '70000'])).toEqual([2, ['counterbench serve: --port: expected an integer from 0 to 65535, got "70000"']]);
      expect(await run([...serve, '--pool', '0'])).toEqual([2, ['counterbench serve: --pool: expected an integer from 1 to 1000, got "0"']]);
      expect(await run(['export', 'k6', '--scenario', 'smoke', '--parallelism', 'x', '--out', path.join(tmp, 'bad')])).toEqual([2, ['counterbench export: --parallelism: expected an integer from 1 to 1000, got "x"']]);
    } finally {
      busy.close();
    }
  });
});

describe('import k6', () => {
  const fixture = (f: string) => JSON.parse(fs.readFileSync(path.resolve('test/fixtures/k6', f), 'utf8'));

  it("reads handleSummary's data and --summary-export's legacy format", () => {
    const a = parseK6Summary(fixture('handle-summary.json'), 'a') as K6Summary;
    const b = parseK6Summary(fixture('summary-export.json'), 'b') as K6Summary;
    expect(a.format).toBe('handleSummary');
    expect(b.format).toBe('summary-export');
    const ia = importOps([a], 3);
    expect(ia.ops.write).toMatchObject({ count: 1260, errors: 0, throughput: 420, latencyMs: { mean: 2.4, p50: 2, p95: 5, p99: 11, p999: 35, max: 42 } });
    expect(ia.ops.read).toMatchObject({ count: 450, errors: 2, errorsByKind: { k6: 2 } });
    expect(ia.thresholds.every((t) => t.passed)).toBe(true);
    // the legacy format writes true for a threshold that failed
    const ib = importOps([b], undefined);
    expect(ib.ops.write).toMatchObject({ count: 1000, errors: 3, throughput: 249.9, latencyMs: { p99: 61 } });
    expect(ib.ops.delete).toBeUndefined();
    expect(ib.thresholds.filter((t) => !t.passed)).toEqual([{ metric: 'counterbench_op_duration{op:write,phase:measure}', expression: 'p(99)<50', passed: false }]);
    // two pods: counts add, the mean is weighted, a percentile is the highest pod's
    const both = importOps([a, b], 3);
    expect(both.ops.write!.count).toBe(2260);
    expect(both.ops.write!.latencyMs.mean).toBeCloseTo((2.4 * 1260 + 3.1 * 1000) / 2260, 6);
    expect(both.ops.write!.latencyMs.p99).toBe(61);
    expect(both.notes.join(' ')).toMatch(/upper bound/);
    // an instance whose summary lacks the completion count: its mean is not weighted by another's
    const noCount = structuredClone(a);
    delete noCount.metrics['counterbench_op_completed{op:write,phase:measure}'];
    const partial = importOps([noCount, b], 3);
    expect(partial.ops.write!.count).toBe(1000);
    expect(partial.ops.write!.latencyMs.mean).toBeCloseTo(3.1, 6);
    expect(partial.notes.join(' ')).toMatch(/write: the mean leaves out a, whose summary has counterbench_op_duration but no counterbench_op_completed count/);
    expect(parseK6Summary({ nope: 1 }, 'x.json')).toMatch(/x.json: not a k6 summary/);
  });

  it('writes results.json that report reads, exit 1 when a k6 threshold failed, 2 on a bad file', async () => {
    const out = path.join(tmp, 'import');
    const lines: string[] = [];
    const o = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    const dir = path.resolve('test/fixtures/k6');
    expect(await main(['import', 'k6', path.join(dir, 'handle-summary.json'), '--strategy', 'trigger-fixed', '--scenario', 'http-smoke', '--out', out], o)).toBe(0);
    const r = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(r.strategies[0]).toMatchObject({ id: 'trigger-fixed', ops: { write: { count: 1260 } } });
    expect(r.run.source).toMatchObject({ tool: 'k6', target: 'http', format: 'handleSummary' });
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/trigger-fixed/);
    expect(await main(['import', 'k6', path.join(dir, 'summary-export.json'), '--strategy', 'trigger-fixed', '--out', path.join(tmp, 'import2')], o)).toBe(1);
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{"metrics": 3}');
    expect(await main(['import', 'k6', path.join(tmp, 'bad.json'), '--strategy', 'trigger-fixed', '--out', path.join(tmp, 'import3')], o)).toBe(2);
    expect(lines.join('\n')).toMatch(/bad.json: not a k6 summary/);
  });
});
