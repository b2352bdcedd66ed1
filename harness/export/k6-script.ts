// A scenario as a k6 test in TypeScript: the load model as k6 executors, the same mix, keys and
// seed as counterbench's own driver, thresholds in k6's syntax, and the requests against
// `counterbench serve` (k6/http, stock k6) or Postgres itself (xk6-sql with its Postgres driver).
import type { Scenario } from '../config/types.ts';
import type { OpName } from '../results/types.ts';
import { measuredSeconds } from '../load/phase-window.ts';
import { K6_RUNTIME } from './k6-runtime.ts';
import { K6_METRICS, translateThresholds } from './k6-thresholds.ts';
import type { ReplayStatement } from './sql-statements.ts';

export type K6Target = 'http' | 'sql';

export const XK6_BUILD = 'xk6 build --with github.com/grafana/xk6-sql@latest --with github.com/grafana/xk6-sql-driver-postgres@latest';

export interface K6ScriptOptions {
  scenario: Scenario;
  target: K6Target;
  /** the strategy a SQL script replays, with its statements */
  sql?: { strategy: string; schema: string; statements: Record<OpName, ReplayStatement> };
  /** expected latency of one operation, ms: sizes the open model's VUs (rate × latency) */
  expectedLatencyMs: number;
  /** the counterbench seed a run's first round uses (the scenario's seed + 1) */
  seed: number;
  /** how the script was made, for its header */
  command: string;
}

/** The open model's VU pool: enough for rate × expected latency with room for spikes, and at
 *  most maxInFlight, beyond which k6 drops iterations as counterbench drops arrivals. */
export function arrivalVUs(rate: number, expectedLatencyMs: number, clients: number, maxInFlight: number): { preAllocatedVUs: number; maxVUs: number } {
  const busy = Math.ceil(rate * (expectedLatencyMs / 1000) * 2);
  const maxVUs = Math.max(maxInFlight, clients, 1);
  return { preAllocatedVUs: Math.min(maxVUs, Math.max(clients, busy, 1)), maxVUs };
}

const sec = (s: number) => `${Math.round(s * 1000)}ms`;

/** k6's scenarios: a warm-up (tagged phase:warmup) then the measured part (phase:measure), so
 *  that thresholds judge the measured part only, as counterbench's do. */
export function k6Scenarios(s: Scenario, expectedLatencyMs: number): Record<string, Record<string, unknown>> {
  const warm = s.phases.warmupSeconds;
  const measured = measuredSeconds(s);
  const held = measured - s.phases.stages.reduce((a, st) => a + st.durationSeconds, 0);
  const stages = s.phases.stages.map((st) => ({ duration: sec(st.durationSeconds), target: st.target }));
  const out: Record<string, Record<string, unknown>> = {};
  const L = s.load;
  if (L.kind === 'closed') {
    if (warm > 0) out.warmup = { executor: 'constant-vus', vus: L.clients, duration: sec(warm), tags: { phase: 'warmup' }, gracefulStop: '0s' };
    out.measure = stages.length
      ? { executor: 'ramping-vus', startVUs: L.clients, stages: [...stages, ...(held > 0 ? [{ duration: sec(held), target: stages[stages.length - 1].target }] : [])], startTime: sec(warm), tags: { phase: 'measure' }, gracefulRampDown: '0s' }
      : { executor: 'constant-vus', vus: L.clients, duration: sec(measured), startTime: sec(warm), tags: { phase: 'measure' } };
  } else {
    const peak = Math.max(L.rate, ...s.phases.stages.map((st) => st.target));
    const vus = arrivalVUs(peak, expectedLatencyMs, L.clients, L.maxInFlight);
    if (warm > 0) out.warmup = { executor: 'constant-arrival-rate', rate: L.rate, timeUnit: '1s', duration: sec(warm), ...vus, tags: { phase: 'warmup' }, gracefulStop: '0s' };
    out.measure = stages.length
      ? { executor: 'ramping-arrival-rate', startRate: L.rate, timeUnit: '1s', stages: [...stages, ...(held > 0 ? [{ duration: sec(held), target: stages[stages.length - 1].target }] : [])], ...vus, startTime: sec(warm), tags: { phase: 'measure' } }
      : { executor: 'constant-arrival-rate', rate: L.rate, timeUnit: '1s', duration: sec(measured), ...vus, startTime: sec(warm), tags: { phase: 'measure' } };
  }
  return out;
}

const HTTP_OPS = `
function perform(op: Op, userId: number, sessionId: number): { ok: boolean; value?: number; removed?: boolean } {
  const tags = { op, phase: exec.scenario.name === 'warmup' ? 'warmup' : 'measure' };
  let res;
  if (op === 'write') {
    res = http.post(\`\${BASE_URL}/answers\`, JSON.stringify({ userId, sessionId }), { headers: { 'content-type': 'application/json' }, tags: { ...tags, name: 'POST /answers' } });
  } else if (op === 'read') {
    res = http.get(\`\${BASE_URL}/users/\${userId}/answer-count\`, { tags: { ...tags, name: 'GET /users/:userId/answer-count' } });
  } else {
    res = http.del(\`\${BASE_URL}/sessions/\${sessionId}/latest-answer?userId=\${userId}\`, null, { tags: { ...tags, name: 'DELETE /sessions/:sessionId/latest-answer' } });
  }
  const ok = res.status >= 200 && res.status < 300;
  if (!ok) return { ok };
  const body = res.json() as { count?: number; removed?: boolean };
  return { ok, value: body.count, removed: body.removed };
}
`;

function sqlOps(st: Record<OpName, ReplayStatement>): string {
  const call = (s: ReplayStatement) => [JSON.stringify(s.text), ...s.args].join(', ');
  return `
const questionJsonId = 'q-k6';
const rawAnswer = 'an answer saved by k6';

function perform(op: Op, userId: number, sessionId: number): { ok: boolean; value?: number; removed?: boolean } {
  try {
    if (op === 'write') {
      db.exec(${call(st.write)});
      return { ok: true };
    }
    if (op === 'read') {
      const rows = db.query(${call(st.read)});
      const first = rows.length ? Object.values(rows[0])[0] : 0;
      return { ok: true, value: Number(first) };
    }
    const rows = db.query(${call(st.delete)});
    return { ok: true, removed: rows.length > 0 };
  } catch (e) {
    return { ok: false };
  }
}
`;
}

export function k6Script(o: K6ScriptOptions): string {
  const s = o.scenario;
  const t = translateThresholds(s.thresholds);
  const thresholds: Record<string, string[]> = { ...t.k6 };
  // k6 puts a tagged sub-metric in its summary only when a threshold names it: one that always
  // holds makes each operation's figures reach 'counterbench import'
  for (const op of (['write', 'read', 'delete'] as const).filter((x) => s.mix[x] > 0)) {
    const tag = `{op:${op},phase:measure}`;
    thresholds[`${K6_METRICS.duration}${tag}`] ??= ['max>=0'];
    thresholds[`${K6_METRICS.completed}${tag}`] ??= ['count>=0'];
    thresholds[`${K6_METRICS.failures}${tag}`] ??= ['count>=0'];
  }
  const scenarios = k6Scenarios(s, o.expectedLatencyMs);
  const L = s.load;
  const open = L.kind === 'open';
  const arrivals = open ? Math.ceil(L.rate * s.phases.warmupSeconds) : 0;
  const target = o.target === 'http' ? 'counterbench serve over HTTP (stock k6)' : `Postgres directly through xk6-sql, strategy ${o.sql!.strategy}`;
  const header = [
    `// counterbench scenario "${s.name}" as a k6 test: ${target}.`,
    `// Made by: ${o.command}`,
    '//',
    ...(o.target === 'http'
      ? [
          '// Run it against a counterbench serve (or many, behind a load balancer):',
          `//   counterbench serve --strategy ID --pool N --keep --scenario ${s.name}`,
          '//   k6 run --env BASE_URL=http://127.0.0.1:8080 <this file>',
        ]
      : [
          '// It needs a k6 built with xk6-sql and its Postgres driver:',
          `//   ${XK6_BUILD}`,
          `//   ./k6 run --env DATABASE_URL='postgres://USER:PASSWORD@HOST:5432/DB?sslmode=disable' <this file>`,
          `// on a schema deployed and seeded by 'counterbench serve --strategy ${o.sql!.strategy} --keep --scenario ${s.name}'`,
          `// (its schema: ${o.sql!.schema}; set SCHEMA to use another).`,
        ]),
    '// k6 runs TypeScript as it is (k6 v0.57 and later; older ones: --compatibility-mode=experimental_enhanced).',
    '// Afterwards: counterbench verify --schema-namespace NS (the exact drift check and server cost),',
    '//   counterbench import k6 counterbench-summary.json (k6 figures as results.json), counterbench report.',
    '// k6 exits 99 when a threshold fails, where counterbench run exits 1.',
    ...(t.left.length ? ['// Thresholds k6 cannot judge:', ...t.left.map((l) => `//   ${l.expression}: ${l.why}`)] : []),
    `// Load: ${L.kind === 'closed' ? `closed, ${L.clients} VUs back to back${L.thinkTimeMs ? ` with ${L.thinkTimeMs} ms think time` : ''}` : `open, ${L.rate} arrivals/s; VUs sized for ${o.expectedLatencyMs} ms per operation, at most ${L.maxInFlight} in flight (k6 drops the rest as dropped_iterations)`}.`,
    `// Keys and mix: counterbench's generator with seed ${o.seed} (the scenario's seed + 1, as in a run's first round):`,
    open
      ? '//   every VU plans the whole arrival sequence as counterbench does, and iteration k of the test takes arrival k.'
      : '//   VU n draws from stream n-1, as counterbench\'s client n-1 does.',
  ].join('\n');

  const imports = [
    "import exec from 'k6/execution';",
    "import { sleep } from 'k6';",
    "import { Counter, Trend } from 'k6/metrics';",
    "import type { Options } from 'k6/options';",
    ...(o.target === 'http' ? ["import http from 'k6/http';"] : ["import sql from 'k6/x/sql';", "import driver from 'k6/x/sql/driver/postgres';"]),
  ].join('\n');

  const setup =
    o.target === 'http'
      ? "const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\\/$/, '');"
      : [
          `const SCHEMA = __ENV.SCHEMA || ${JSON.stringify(o.sql!.schema)};`,
          "const DATABASE_URL = __ENV.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable';",
          "// the strategy's schema first on the search path, as counterbench's own connections have it",
          "const db = sql.open(driver, `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}search_path=${SCHEMA}`);",
          'export function teardown(): void {',
          '  db.close();',
          '}',
        ].join('\n');

  const pick = open
    ? `
// the whole arrival sequence, drawn up front in arrival order (harness/load/open-model.ts)
const WARMUP_ARRIVALS = ${arrivals};
const TOTAL_ARRIVALS = ${Math.ceil((open ? L.rate : 0) * (s.phases.warmupSeconds + measuredSeconds(s)) + s.phases.stages.reduce((a, st) => a + st.durationSeconds * st.target, 0))};
const planRng = new Rng(deriveSeed(SEED, 1000003));
const planUser = createKeyPicker(KEYS, USERS, planRng);
const planOp = createOpPicker(MIX, planRng);
const OPS: Op[] = ['write', 'read', 'delete'];
const planOps = new Uint8Array(TOTAL_ARRIVALS);
const planUsers = new Int32Array(TOTAL_ARRIVALS);
for (let i = 0; i < TOTAL_ARRIVALS; i++) {
  planOps[i] = OPS.indexOf(planOp());
  planUsers[i] = planUser();
}

export function next(): { op: Op; userId: number } {
  const k = (exec.scenario.name === 'warmup' ? 0 : WARMUP_ARRIVALS) + exec.scenario.iterationInTest;
  if (k < TOTAL_ARRIVALS) return { op: OPS[planOps[k]], userId: planUsers[k] };
  // beyond the plan (a ramp that ran long): go on drawing from the same stream
  return { op: planOp(), userId: planUser() };
}
`
    : `
let pickOp: (() => Op) | undefined;
let pickUser: (() => number) | undefined;

export function next(): { op: Op; userId: number } {
  if (!pickOp || !pickUser) {
    // VU n is counterbench's client n-1: the same stream, whichever scenario it serves
    const rng = new Rng(deriveSeed(SEED, exec.vu.idInTest - 1));
    pickUser = createKeyPicker(KEYS, USERS, rng);
    pickOp = createOpPicker(MIX, rng);
  }
  const op = pickOp();
  return { op, userId: pickUser() };
}
`;

  const keys = s.keys.kind === 'uniform' ? { kind: 'uniform' } : s.keys.kind === 'zipfian' ? { kind: 'zipfian', exponent: s.keys.exponent } : { kind: 'hotset', hotUsers: s.keys.hotUsers, hotShare: s.keys.hotShare };

  return `${header}
${imports}

${K6_RUNTIME}
// ---- the scenario ----
const SEED = ${o.seed};
const USERS = ${s.data.users};
const SESSIONS_PER_USER = ${s.data.sessionsPerUser};
const KEYS: Keys = ${JSON.stringify(keys)};
const MIX = ${JSON.stringify(s.mix)};
const THINK_TIME_MS = ${L.kind === 'closed' ? L.thinkTimeMs : 0};

export const options: Options = {
  scenarios: ${JSON.stringify(scenarios, null, 2).replace(/\n/g, '\n  ')},
  thresholds: ${JSON.stringify(thresholds, null, 2).replace(/\n/g, '\n  ')},
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
};

// one sample per operation, tagged op and phase: what thresholds and 'counterbench import' read
const opDuration = new Trend('${K6_METRICS.duration}', true);
const opFailures = new Counter('${K6_METRICS.failures}');
const opCompleted = new Counter('${K6_METRICS.completed}');

${setup}
${o.target === 'http' ? HTTP_OPS : sqlOps(o.sql!.statements)}
${pick}
export default function (): void {
  const { op, userId } = next();
  const sessionId = userId * SESSIONS_PER_USER; // the user's active session (counterbench's seed data)
  const tags = { op, phase: exec.scenario.name === 'warmup' ? 'warmup' : 'measure' };
  const started = Date.now();
  const r = perform(op, userId, sessionId);
  if (r.ok) {
    opDuration.add(Date.now() - started, tags);
    opCompleted.add(1, tags);
  } else opFailures.add(1, tags);
  if (THINK_TIME_MS > 0) sleep(THINK_TIME_MS / 1000);
}

// k6's end-of-test summary as JSON, for 'counterbench import k6'
export function handleSummary(data: object): Record<string, string> {
  return {
    'counterbench-summary.json': JSON.stringify(data, null, 2),
    stdout: \`counterbench scenario ${s.name}: summary written to counterbench-summary.json (counterbench import k6 counterbench-summary.json)\\n\`,
  };
}
`;
}

/** Type declarations of xk6-sql's modules, which @types/k6 does not have: beside a SQL script so
 *  that tsc checks it. */
export const XK6_SQL_TYPES = `// xk6-sql and its Postgres driver (https://github.com/grafana/xk6-sql): the part the script uses.
declare module 'k6/x/sql' {
  export interface Database {
    exec(query: string, ...args: unknown[]): { rowsAffected(): number };
    query(query: string, ...args: unknown[]): Array<Record<string, unknown>>;
    close(): void;
  }
  const sql: { open(driver: symbol, connectionString: string): Database };
  export default sql;
}
declare module 'k6/x/sql/driver/postgres' {
  const driver: symbol;
  export default driver;
}
`;

/** The tsconfig beside the script: strict, k6's types, nothing of Node's. */
export function k6Tsconfig(files: string[]): string {
  return JSON.stringify(
    {
      compilerOptions: { target: 'es2020', module: 'es2020', moduleResolution: 'bundler', strict: true, noEmit: true, types: ['k6'], lib: ['es2020'], skipLibCheck: false },
      files,
    },
    null,
    2,
  ) + '\n';
}
