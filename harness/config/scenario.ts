// Scenario files (YAML or JSON) → the validated, fully defaulted Scenario of config/types.ts.
// The file format is friendlier than the type: durations may be written "10s" or "2m", strategies
// may be "all", the load model is named by `model`, and nearly everything has a default. Any
// mistake is one UsageError naming the file, the dotted path of the field and what was expected.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import YAML from 'yaml';
import { UsageError } from '../errors.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from './strategy-ids.ts';
import { parseDurationMs } from './duration.ts';
import { parseThresholdExpression } from './threshold-expression.ts';
import type { CapacitySpec, KeyDistribution, LoadModel, Scenario, Stage, Threshold, WorkloadProfile } from './types.ts';
import { FAULT_KINDS, isFaultKind, type FaultSpec } from '../faults/kinds.ts';
import { STRATEGY_OPTION_DEFAULTS } from '../strategies/options.ts';

/** Built-in scenarios ship in the package, so they are found from this file, not from the cwd. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
export const DEFAULT_SCENARIO = 'default';
const EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface ScenarioOverrides {
  clients?: number | string;
  /** switches a closed scenario to the open model */
  rate?: number | string;
  /** measured duration; a bare number is seconds */
  duration?: number | string;
  users?: number | string;
  /** ids, a comma-separated list, or "all" */
  strategies?: string | string[];
  /** worker threads for the load */
  workers?: number | string;
}

// Defaults of everything a file may leave out. A scenario file only says what differs.
const DEFAULTS = {
  data: { users: 10_000, sessionsPerUser: 1, answersPerUser: 50, answersSkew: 0 },
  closed: { clients: 16, thinkTimeMs: 0 },
  workers: 1,
  open: { clients: 16 },
  phases: { warmupSeconds: 5, durationSeconds: 20 },
  mix: { write: 70, read: 25, delete: 5 },
  rounds: 1,
  seed: 1,
  options: {
    mvRefreshIntervalMs: 1000,
    mvRefreshConcurrently: false,
    redisSyncIntervalMs: 1000,
    drainTimeoutMs: 30_000,
    driftSampleIntervalMs: 1000,
    maxRetries: 3,
    driver: 'lean' as const,
    ...STRATEGY_OPTION_DEFAULTS,
  },
};

// A capacity scenario's search, where its file leaves something out. Short steps: the search
// needs many of them, and each still has hundreds of arrivals at the lowest rate.
export const CAPACITY_DEFAULTS: Omit<CapacitySpec, 'profile'> = {
  users: [1000, 10_000, 100_000],
  sloP99Ms: [50, 100],
  budgetMs: 20 * 60_000,
  startRate: 50,
  growth: 2,
  tolerance: 0.1,
  warmupSeconds: 1,
  windowSeconds: 4,
  maxRate: 100_000,
  // the server's connections are shared (max_connections is often 100)
  maxClients: 32,
};
/** A capacity search measures writes; without a mix it offers nothing else. */
const CAPACITY_MIX = { write: 100, read: 0, delete: 0 };

/** Arrivals beyond this many waiting or running are dropped: one second's worth by default. */
function defaultMaxInFlight(rate: number, clients: number): number {
  return Math.max(clients, Math.ceil(rate));
}

// ---- describing values in messages ------------------------------------------------------------

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

// ---- leaves: each says what it expected and what it got ---------------------------------------

function leaf<T>(expected: string, convert: (v: unknown) => T | undefined) {
  return z.unknown().transform((v, ctx): T => {
    const out = convert(v);
    if (out === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${show(v)}` });
      return z.NEVER;
    }
    return out;
  });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const int = (min: number) =>
  leaf(`an integer >= ${min}`, (v) => (isNum(v) && Number.isInteger(v) && v >= min ? v : undefined));
const positive = () => leaf('a number > 0', (v) => (isNum(v) && v > 0 ? v : undefined));
const nonNegative = () => leaf('a number >= 0', (v) => (isNum(v) && v >= 0 ? v : undefined));
const share = () => leaf('a number from 0 to 1', (v) => (isNum(v) && v >= 0 && v <= 1 ? v : undefined));
const text = () => leaf('a string', (v) => (typeof v === 'string' ? v : undefined));
const bool = () => leaf('true or false', (v) => (typeof v === 'boolean' ? v : undefined));
/** → milliseconds */
const duration = (bareUnit: 's' | 'ms', allowZero: boolean) => {
  const unit = bareUnit === 's' ? 'seconds' : 'milliseconds';
  const what = `a duration ${allowZero ? '>= 0' : '> 0'} (a number of ${unit}, or a string like "500ms", "10s", "2m")`;
  return leaf(what, (v) => {
    const ms = parseDurationMs(v, bareUnit);
    return ms !== undefined && (allowZero || ms > 0) ? ms : undefined;
  });
};

/** A list (or one value) of items each converted by `convert`; each bad item is named by index. */
function listOf<T>(expected: string, convert: (v: unknown) => T | undefined) {
  return z.unknown().transform((v, ctx): T[] => {
    const items = Array.isArray(v) ? v : [v];
    if (items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a list of ${expected}, got an empty list` });
      return z.NEVER;
    }
    const out: T[] = [];
    items.forEach((item, i) => {
      const x = convert(item);
      if (x === undefined) ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${show(item)}`, path: Array.isArray(v) ? [i] : [] });
      else out.push(x);
    });
    return out;
  });
}

const strategyList = z.unknown().transform((v, ctx): string[] => {
  const expected = `"all" or a list of strategy ids (${ALL_STRATEGY_IDS.join(', ')})`;
  if (v === 'all') return [...ALL_STRATEGY_IDS];
  if (!Array.isArray(v) || v.length === 0) {
    ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${Array.isArray(v) ? 'an empty list' : show(v)}` });
    return z.NEVER;
  }
  v.forEach((id, i) => {
    const problem = strategyIdProblem(id, v.slice(0, i));
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
  });
  return v as string[];
});

function strategyIdProblem(id: unknown, before: unknown[]): string | undefined {
  if (typeof id !== 'string' || !isStrategyId(id)) {
    return `unknown strategy ${show(id)} (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`;
  }
  if (before.includes(id)) return `strategy "${id}" is listed twice`;
  return undefined;
}

const thresholdList = z.unknown().transform((v, ctx): Threshold[] => {
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected a list of thresholds, got ${show(v)}` });
    return z.NEVER;
  }
  const out: Threshold[] = [];
  v.forEach((item, i) => {
    const parsed = parseThresholdItem(item);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem, path: [i, ...parsed.at] });
    else out.push(parsed);
  });
  return out;
});

type ThresholdProblem = { problem: string; at: Array<string | number> };

function parseThresholdItem(item: unknown): Threshold | ThresholdProblem {
  const problem = (message: string, ...at: Array<string | number>): ThresholdProblem => ({ problem: message, at });
  if (typeof item === 'string') {
    const t = parseThresholdExpression(item);
    return typeof t === 'string' ? problem(t) : t;
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return problem(`expected a threshold like "ops.write.latencyMs.p99 < 50" or a mapping {expression, strategies}, got ${show(item)}`);
  }
  const o = item as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'expression' && k !== 'strategies') return problem('unknown key (expected one of: expression, strategies)', k);
  }
  if (typeof o.expression !== 'string') {
    return problem(`expected a string like "ops.write.latencyMs.p99 < 50", got ${show(o.expression)}`, 'expression');
  }
  let strategies: string[] | undefined;
  if (o.strategies !== undefined) {
    const s = o.strategies;
    if (!Array.isArray(s) || s.length === 0) {
      return problem(`expected a list of strategy ids, got ${Array.isArray(s) ? 'an empty list' : show(s)}`, 'strategies');
    }
    for (let i = 0; i < s.length; i++) {
      const why = strategyIdProblem(s[i], s.slice(0, i));
      if (why) return problem(why, 'strategies', i);
    }
    strategies = s as string[];
  }
  const t = parseThresholdExpression(o.expression, strategies);
  return typeof t === 'string' ? problem(t, 'expression') : t;
}

const faultKind = leaf(`one of: ${Object.keys(FAULT_KINDS).join(', ')}`, (v) => (isFaultKind(v) ? v : undefined));

// ---- objects: unknown keys are errors that list the keys the object has ----------------------

function obj<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `unknown key (expected one of: ${keys})`;
      if (iss.code === 'invalid_type') return `expected a mapping with keys ${keys}, got ${show(iss.input)}`;
      return undefined;
    },
  });
}

function tagged<K extends string, O extends readonly [z.ZodObject, z.ZodObject, ...z.ZodObject[]]>(key: K, tags: string[], options: O) {
  return z.discriminatedUnion(key, options, {
    error: (iss) => {
      const input = iss.input;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        return `expected a mapping with ${key}: ${tags.join(' | ')}, got ${show(input)}`;
      }
      return `expected one of: ${tags.join(', ')}, got ${show((input as Record<string, unknown>)[key])}`;
    },
  });
}

// how the load reaches Postgres: the driver's own connections, an in-process `serve` driven by
// autocannon, or both side by side
const via = leaf('"sql", "http" or "both"', (v) => (v === 'sql' || v === 'http' || v === 'both' ? v : undefined));

const loadSchema = tagged('model', ['closed', 'open'], [
  obj({ model: z.literal('closed'), clients: int(1).optional(), thinkTimeMs: duration('ms', true).optional(), workers: int(1).optional(), via: via.optional(), pool: int(1).optional() }),
  obj({ model: z.literal('open'), rate: positive(), clients: int(1).optional(), maxInFlight: int(1).optional(), workers: int(1).optional(), via: via.optional(), pool: int(1).optional() }),
]);

const keysSchema = tagged('distribution', ['uniform', 'zipfian', 'hotset'], [
  obj({ distribution: z.literal('uniform') }),
  obj({ distribution: z.literal('zipfian'), exponent: positive() }),
  obj({ distribution: z.literal('hotset'), hotUsers: int(1), hotShare: share() }),
]);

const fileSchema = obj({
  name: text().optional(),
  description: text().optional(),
  strategies: strategyList.optional(),
  data: obj({
    users: int(1).optional(),
    sessionsPerUser: int(1).optional(),
    answersPerUser: int(0).optional(),
    answersSkew: nonNegative().optional(),
  }).optional(),
  load: loadSchema.optional(),
  phases: obj({
    warmup: duration('s', true).optional(),
    duration: duration('s', false).optional(),
    stages: z
      .array(obj({ duration: duration('s', false), target: nonNegative() }), {
        error: (iss) => `expected a list of {duration, target}, got ${show(iss.input)}`,
      })
      .optional(),
  }).optional(),
  mix: obj({ write: nonNegative().optional(), read: nonNegative().optional(), delete: nonNegative().optional() }).optional(),
  keys: keysSchema.optional(),
  rounds: int(1).optional(),
  seed: leaf('an integer from 0 to 4294967295', (v) => (isNum(v) && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : undefined)).optional(),
  thresholds: thresholdList.optional(),
  faults: z
    .array(
      obj({
        kind: faultKind,
        at: duration('s', true),
        strategies: strategyList.optional(),
        count: int(1).optional(),
      }),
      { error: (iss) => `expected a list of {kind, at, strategies?, count?}, got ${show(iss.input)}` },
    )
    .optional(),
  options: obj({
    mvRefreshInterval: duration('s', false).optional(),
    mvRefreshConcurrently: bool().optional(),
    redisSyncInterval: duration('s', false).optional(),
    drainTimeout: duration('s', false).optional(),
    driftSampleInterval: duration('s', true).optional(),
    maxRetries: int(0).optional(),
    driver: leaf('"lean" or "pg"', (v) => (v === 'lean' || v === 'pg' ? v : undefined)).optional(),
    slots: leaf('an integer from 1 to 1024', (v) => (isNum(v) && Number.isInteger(v) && v >= 1 && v <= 1024 ? v : undefined)).optional(),
    slotPick: leaf('"backend" or "random"', (v) => (v === 'backend' || v === 'random' ? v : undefined)).optional(),
    rollupInterval: duration('s', false).optional(),
    redisFlushInterval: duration('s', false).optional(),
  }).optional(),
  kind: leaf('"run" or "capacity"', (v) => (v === 'run' || v === 'capacity' ? v : undefined)).optional(),
  capacity: obj({
    users: listOf('an integer >= 1 (users)', (v) => (isNum(v) && Number.isInteger(v) && v >= 1 ? v : undefined)).optional(),
    sloP99: listOf('a write p99 in ms > 0 (a number, or a string like "50ms")', (v) => {
      const ms = parseDurationMs(v, 'ms');
      return ms !== undefined && ms > 0 ? ms : undefined;
    }).optional(),
    budget: duration('s', false).optional(),
    startRate: positive().optional(),
    growth: leaf('a number > 1', (v) => (isNum(v) && v > 1 ? v : undefined)).optional(),
    tolerance: leaf('a number > 0 and < 1', (v) => (isNum(v) && v > 0 && v < 1 ? v : undefined)).optional(),
    warmup: duration('s', true).optional(),
    window: duration('s', false).optional(),
    maxRate: positive().optional(),
    maxClients: int(1).optional(),
    profile: obj({
      users: int(1),
      writesPerUserPerDay: positive().optional(),
      peakToAverage: leaf('a number >= 1', (v) => (isNum(v) && v >= 1 ? v : undefined)).optional(),
      peakWritesPerUserPerSecond: positive().optional(),
    }).optional(),
  }).optional(),
});

export type ScenarioFile = z.output<typeof fileSchema>;
type CapacityFile = NonNullable<ScenarioFile['capacity']>;

// ---- errors -----------------------------------------------------------------------------------

export function dottedPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

function issueMessage(where: string, issue: z.core.$ZodIssue): string {
  let p: PropertyKey[] = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    p = [...p, issue.keys[0]];
    if (issue.keys.length > 1) message += ` (also unknown: ${issue.keys.slice(1).join(', ')})`;
  }
  const at = dottedPath(p);
  return `${where}: ${at === '' ? '' : `${at}: `}${message}`;
}

function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  // An unknown key usually explains a "missing" error beside it (a misspelt key), so it goes first.
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
}

// ---- finding and reading files ----------------------------------------------------------------

function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes(path.sep) || EXTENSIONS.some((e) => nameOrPath.endsWith(e));
}

function builtinFiles(): string[] {
  if (!existsSync(SCENARIOS_DIR)) return [];
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => EXTENSIONS.includes(path.extname(f)))
    .sort();
}

function builtinNames(): string[] {
  return builtinFiles().map((f) => f.slice(0, -path.extname(f).length));
}

interface Located {
  file: string;
  /** how messages name it */
  display: string;
  /** name used when the file has no `name` */
  stem: string;
}

function locate(nameOrPath: string): Located {
  if (isPath(nameOrPath)) {
    const file = path.resolve(nameOrPath);
    if (!existsSync(file)) throw new UsageError(`${nameOrPath}: scenario file not found`);
    const ext = path.extname(file);
    if (!EXTENSIONS.includes(ext)) {
      throw new UsageError(`${nameOrPath}: expected a .yaml, .yml or .json scenario file`);
    }
    return { file, display: nameOrPath, stem: path.basename(file, ext) };
  }
  const f = builtinFiles().find((x) => x.slice(0, -path.extname(x).length) === nameOrPath);
  if (!f) {
    throw new UsageError(
      `unknown scenario "${nameOrPath}" (built-in scenarios: ${builtinNames().join(', ')}; or give a path to a .yaml or .json file)`,
    );
  }
  return { file: path.join(SCENARIOS_DIR, f), display: `scenarios/${f}`, stem: nameOrPath };
}

function readData(loc: Located): unknown {
  let content: string;
  try {
    content = readFileSync(loc.file, 'utf8');
  } catch (e) {
    throw new UsageError(`${loc.display}: cannot read: ${(e as Error).message}`);
  }
  if (loc.file.endsWith('.json')) {
    try {
      return JSON.parse(content);
    } catch (e) {
      throw new UsageError(`${loc.display}: not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    return YAML.parse(content, { prettyErrors: true });
  } catch (e) {
    throw new UsageError(`${loc.display}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Validates scenario data already parsed from a file (or written in a test). */
export function parseScenarioFile(data: unknown, display: string): ScenarioFile {
  if (data === null || data === undefined) {
    throw new UsageError(`${display}: expected a mapping of scenario settings, got an empty file`);
  }
  const r = fileSchema.safeParse(data);
  if (!r.success) throw new UsageError(issueMessage(display, firstIssue(r.error.issues)));
  return r.data;
}

// ---- overrides --------------------------------------------------------------------------------

interface ParsedOverrides {
  clients?: number;
  rate?: number;
  durationSeconds?: number;
  users?: number;
  strategies?: string[];
  workers?: number;
}

function flagNumber(flag: string, v: number | string, expected: string, ok: (n: number) => boolean): number {
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag}: expected ${expected}, got ${show(v)}`);
  return n;
}

/** `--workers N` as a command gives it (capacity takes it too): an integer >= 1, else a UsageError. */
export function parseWorkersFlag(v: number | string): number {
  return flagNumber('workers', v, 'an integer >= 1 (worker threads for the load)', (n) => Number.isInteger(n) && n >= 1);
}

function parseOverrides(o: ScenarioOverrides): ParsedOverrides {
  const out: ParsedOverrides = {};
  if (o.clients !== undefined) out.clients = flagNumber('clients', o.clients, 'an integer >= 1', (n) => Number.isInteger(n) && n >= 1);
  if (o.rate !== undefined) out.rate = flagNumber('rate', o.rate, 'a number of operations per second > 0', (n) => n > 0);
  if (o.users !== undefined) out.users = flagNumber('users', o.users, 'an integer >= 1', (n) => Number.isInteger(n) && n >= 1);
  if (o.workers !== undefined) out.workers = parseWorkersFlag(o.workers);
  if (o.duration !== undefined) {
    const ms = parseDurationMs(o.duration, 's');
    if (ms === undefined || ms <= 0) {
      throw new UsageError(`--duration: expected a duration > 0 (seconds, or like "30s", "2m"), got ${show(o.duration)}`);
    }
    out.durationSeconds = ms / 1000;
  }
  if (o.strategies !== undefined) {
    const list = (Array.isArray(o.strategies) ? o.strategies : o.strategies.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (list.length === 0) throw new UsageError(`--strategies: expected "all" or a comma-separated list of strategy ids, got ${show(o.strategies)}`);
    if (list.length === 1 && list[0] === 'all') {
      out.strategies = [...ALL_STRATEGY_IDS];
    } else {
      const seen: string[] = [];
      for (const id of list) {
        const problem = strategyIdProblem(id, seen);
        if (problem) throw new UsageError(`--strategies: ${problem}`);
        seen.push(id);
      }
      out.strategies = seen;
    }
  }
  return out;
}

// ---- resolving: defaults, overrides, checks across fields ---------------------------------------

function resolve(f: ScenarioFile, o: ParsedOverrides, display: string, stem: string): Scenario {
  const fail = (field: string, message: string): never => {
    throw new UsageError(`${display}: ${field}: ${message}`);
  };
  if (f.capacity) fail('capacity', 'only in a capacity scenario: add kind: capacity');

  const data = { ...DEFAULTS.data, ...f.data };
  if (o.users !== undefined) data.users = o.users;

  let load: LoadModel;
  const fileLoad = f.load;
  const rate = o.rate ?? (fileLoad?.model === 'open' ? fileLoad.rate : undefined);
  if (rate !== undefined) {
    if (fileLoad?.model !== 'open' && (f.phases?.stages?.length ?? 0) > 0) {
      throw new UsageError(
        `--rate: cannot switch ${display} to the open model: its phases.stages targets are numbers of clients, not arrivals per second`,
      );
    }
    const clients = o.clients ?? fileLoad?.clients ?? DEFAULTS.open.clients;
    const explicitMax = fileLoad?.model === 'open' ? fileLoad.maxInFlight : undefined;
    let maxInFlight = explicitMax ?? defaultMaxInFlight(rate, clients);
    if (maxInFlight < clients) {
      // more clients asked for on the command line lift the cap with them
      if (o.clients === undefined) fail('load.maxInFlight', `expected at least load.clients (${clients}), got ${maxInFlight}`);
      maxInFlight = clients;
    }
    load = { kind: 'open', rate, clients, maxInFlight };
  } else {
    const clients = o.clients ?? fileLoad?.clients ?? DEFAULTS.closed.clients;
    const thinkTimeMs = (fileLoad?.model === 'closed' ? fileLoad.thinkTimeMs : undefined) ?? DEFAULTS.closed.thinkTimeMs;
    load = { kind: 'closed', clients, thinkTimeMs };
  }

  const stages: Stage[] = (f.phases?.stages ?? []).map((s) => ({ durationSeconds: s.duration / 1000, target: s.target }));
  // each worker thread needs a load connection of its own to serve anything
  const workers = o.workers ?? fileLoad?.workers ?? DEFAULTS.workers;
  const connections = load.kind === 'closed' ? Math.max(load.clients, ...stages.map((st) => Math.ceil(st.target))) : load.clients;
  if (workers > connections) {
    const why = `expected at most the number of load connections (${connections}, one per client), got ${workers}`;
    if (o.workers !== undefined) throw new UsageError(`--workers: ${why}`);
    fail('load.workers', why);
  }
  const stagesSeconds = stages.reduce((a, s) => a + s.durationSeconds, 0);
  const loadVia = fileLoad?.via ?? 'sql';
  if (loadVia !== 'sql') {
    // autocannon runs one constant load in this thread; the SQL path's ramps, worker threads
    // and fault injection have no counterpart there
    if (stages.length) fail('load.via', `${loadVia} runs one constant load through autocannon: phases.stages are not supported with it`);
    if (workers > 1) {
      const why = `autocannon runs in the main thread with load.via ${loadVia}: expected 1, got ${workers}`;
      if (o.workers !== undefined) throw new UsageError(`--workers: ${why}`);
      fail('load.via', `${loadVia}: autocannon runs in the main thread, load.workers must be 1, got ${workers}`);
    }
    if ((f.faults ?? []).length) fail('load.via', `${loadVia}: faults are injected by the SQL driver only, remove faults or use load.via sql`);
  } else if (fileLoad?.pool !== undefined) fail('load.pool', 'the pg.Pool of serve: only with load.via http or both');
  if (load.kind === 'closed') {
    stages.forEach((s, i) => {
      if (!Number.isInteger(s.target) || s.target < 1) {
        fail(`phases.stages[${i}].target`, `expected a whole number of clients >= 1 in the closed model, got ${s.target}`);
      }
    });
  }
  // The stages are the start of the measured phase; whatever time is left holds the last target.
  let durationSeconds = f.phases?.duration !== undefined ? f.phases.duration / 1000 : stages.length > 0 ? stagesSeconds : DEFAULTS.phases.durationSeconds;
  if (o.durationSeconds !== undefined) {
    if (o.durationSeconds + 1e-9 < stagesSeconds) {
      throw new UsageError(`--duration: expected at least the ${stagesSeconds}s of ${display}'s phases.stages, got ${o.durationSeconds}s`);
    }
    durationSeconds = o.durationSeconds;
  } else if (durationSeconds + 1e-9 < stagesSeconds) {
    fail('phases.duration', `expected at least the sum of phases.stages durations (${stagesSeconds}s), got ${durationSeconds}s`);
  }
  const warmupSeconds = f.phases?.warmup !== undefined ? f.phases.warmup / 1000 : DEFAULTS.phases.warmupSeconds;

  const mix = f.mix ? { write: f.mix.write ?? 0, read: f.mix.read ?? 0, delete: f.mix.delete ?? 0 } : { ...DEFAULTS.mix };
  if (mix.write + mix.read + mix.delete <= 0) fail('mix', 'expected weights write, read, delete with a sum > 0, got all zero');

  let keys: KeyDistribution;
  const k = f.keys;
  if (!k || k.distribution === 'uniform') keys = { kind: 'uniform' };
  else if (k.distribution === 'zipfian') keys = { kind: 'zipfian', exponent: k.exponent };
  else {
    if (k.hotUsers > data.users) {
      const via = o.users !== undefined ? ', from --users' : '';
      fail('keys.hotUsers', `expected at most data.users (${data.users}${via}), got ${k.hotUsers}`);
    }
    keys = { kind: 'hotset', hotUsers: k.hotUsers, hotShare: k.hotShare };
  }

  const faults: FaultSpec[] = (f.faults ?? []).map((x, i) => {
    const atSeconds = x.at / 1000;
    const measured = Math.max(durationSeconds, stagesSeconds);
    if (atSeconds >= measured) fail(`faults[${i}].at`, `expected a time inside the measured part (under ${measured}s), got ${atSeconds}s`);
    if (x.count !== undefined && x.kind !== 'app-crash-after-insert') fail(`faults[${i}].count`, 'only app-crash-after-insert takes a count');
    return { kind: x.kind, atSeconds, ...(x.strategies ? { strategies: x.strategies } : {}), count: x.count ?? 1 };
  });

  const fo = f.options ?? {};
  const options: Scenario['options'] = {
    mvRefreshIntervalMs: fo.mvRefreshInterval ?? DEFAULTS.options.mvRefreshIntervalMs,
    mvRefreshConcurrently: fo.mvRefreshConcurrently ?? DEFAULTS.options.mvRefreshConcurrently,
    redisSyncIntervalMs: fo.redisSyncInterval ?? DEFAULTS.options.redisSyncIntervalMs,
    drainTimeoutMs: fo.drainTimeout ?? DEFAULTS.options.drainTimeoutMs,
    driftSampleIntervalMs: fo.driftSampleInterval ?? DEFAULTS.options.driftSampleIntervalMs,
    maxRetries: fo.maxRetries ?? DEFAULTS.options.maxRetries,
    driver: fo.driver ?? DEFAULTS.options.driver,
    slots: fo.slots ?? DEFAULTS.options.slots,
    slotPick: fo.slotPick ?? DEFAULTS.options.slotPick,
    rollupIntervalMs: fo.rollupInterval ?? DEFAULTS.options.rollupIntervalMs,
    redisFlushIntervalMs: fo.redisFlushInterval ?? DEFAULTS.options.redisFlushIntervalMs,
  };

  return {
    name: f.name ?? stem,
    description: f.description ?? '',
    strategies: o.strategies ?? f.strategies ?? [...ALL_STRATEGY_IDS],
    data,
    load,
    workers,
    ...(loadVia !== 'sql' ? { via: loadVia, pool: fileLoad?.pool ?? load.clients } : {}),
    phases: { warmupSeconds, durationSeconds, stages },
    mix,
    keys,
    rounds: f.rounds ?? DEFAULTS.rounds,
    seed: f.seed ?? DEFAULTS.seed,
    thresholds: f.thresholds ?? [],
    faults,
    options,
  };
}

// ---- capacity scenarios --------------------------------------------------------------------------

export interface CapacityOverrides {
  /** ids, a comma-separated list, or "all" */
  strategies?: string;
  /** data sizes, comma-separated */
  users?: string;
  /** SLO lines in ms, comma-separated; a leading "+" adds them to the scenario's lines */
  sloP99?: string;
  /** the whole search, e.g. "8m" (a bare number is seconds) */
  budget?: string;
}

interface ParsedCapacityOverrides {
  users?: number[];
  slo?: { ms: number[]; add: boolean };
  budgetMs?: number;
}

/** How much time one step at `rate` gets connections for: enough that the pool is not what
 *  queues arrivals while the server still answers within the largest SLO line. */
const STEP_CONNECTION_SECONDS_PER_SLO = 1;
const MIN_STEP_CLIENTS = 4;

/** The open load of one step of the search at `rate` arrivals per second: connections grow with
 *  the rate (rate x the largest SLO line, so operations may take that long on average before
 *  every connection is busy) up to the cap; one second of arrivals may wait. */
export function capacityStepLoad(spec: CapacitySpec, rate: number): Extract<LoadModel, { kind: 'open' }> {
  const sloSeconds = Math.max(...spec.sloP99Ms) / 1000;
  const wanted = Math.ceil(rate * sloSeconds * STEP_CONNECTION_SECONDS_PER_SLO);
  const clients = Math.max(1, Math.min(spec.maxClients, Math.max(MIN_STEP_CLIENTS, wanted)));
  return { kind: 'open', rate, clients, maxInFlight: defaultMaxInFlight(rate, clients) };
}

function parseCapacityOverrides(o: CapacityOverrides): ParsedCapacityOverrides {
  const out: ParsedCapacityOverrides = {};
  if (o.users !== undefined) {
    const parts = o.users.split(',').map((x) => x.trim());
    const bad = parts.find((x) => !/^\d+$/.test(x) || Number(x) < 1);
    if (bad !== undefined || parts.length === 0) {
      throw new UsageError(`--users: expected a comma-separated list of whole numbers of users >= 1 (e.g. 1000,10000), got ${show(bad ?? o.users)}`);
    }
    out.users = parts.map(Number);
  }
  if (o.sloP99 !== undefined) {
    const add = o.sloP99.trim().startsWith('+');
    const parts = o.sloP99.trim().replace(/^\+/, '').split(',').map((x) => x.trim());
    const ms = parts.map((x) => (x === '' ? NaN : Number(x)));
    const i = ms.findIndex((n) => !Number.isFinite(n) || n <= 0);
    if (i >= 0) throw new UsageError(`--slo-p99: expected a positive number of milliseconds (or a comma-separated list; "+" adds to the scenario's lines), got ${show(parts[i])}`);
    out.slo = { ms, add };
  }
  if (o.budget !== undefined) {
    const ms = parseDurationMs(o.budget, 's');
    if (ms === undefined || ms <= 0) throw new UsageError(`--budget: expected a duration > 0 (seconds, or like "90s", "8m", "1h"), got ${show(o.budget)}`);
    out.budgetMs = ms;
  }
  return out;
}

/** Ascending, each once; `what` names the field in the message. */
function ascendingUnique(values: number[], what: string): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const twice = sorted.find((v, i) => i > 0 && sorted[i - 1] === v);
  if (twice !== undefined) throw new UsageError(`${what}: ${twice} is listed twice`);
  return sorted;
}

function resolveProfile(p: NonNullable<CapacityFile['profile']>, users: number[], display: string, usersFrom: string): WorkloadProfile {
  const fail = (field: string, message: string): never => {
    throw new UsageError(`${display}: capacity.profile.${field}: ${message}`);
  };
  const perDay = p.writesPerUserPerDay !== undefined;
  const perSecond = p.peakWritesPerUserPerSecond !== undefined;
  if (perDay === perSecond) {
    fail(perDay ? 'peakWritesPerUserPerSecond' : 'writesPerUserPerDay', 'expected exactly one of writesPerUserPerDay (with peakToAverage) or peakWritesPerUserPerSecond');
  }
  if (perSecond && p.peakToAverage !== undefined) fail('peakToAverage', 'applies to writesPerUserPerDay only; peakWritesPerUserPerSecond is already the peak');
  const largest = users[users.length - 1];
  if (p.users > largest) {
    fail('users', `${p.users} users today is more than the largest data size searched (${largest}${usersFrom}): the profile contradicts the data sizes; search a size of at least ${p.users} users`);
  }
  return perDay
    ? { users: p.users, writesPerUserPerDay: p.writesPerUserPerDay, peakToAverage: p.peakToAverage ?? 1 }
    : { users: p.users, peakWritesPerUserPerSecond: p.peakWritesPerUserPerSecond };
}

function resolveCapacity(f: ScenarioFile, cap: ParsedCapacityOverrides, strategies: string | undefined, display: string, stem: string): Scenario {
  const fail = (field: string, message: string): never => {
    throw new UsageError(`${display}: ${field}: ${message}`);
  };
  // the search sets the load and times its own steps; a file that sets them expects something else
  if (f.load) fail('load', 'not used in a capacity scenario: the search sets the arrival rate (capacity.startRate, capacity.growth, capacity.maxClients)');
  if (f.phases) fail('phases', 'not used in a capacity scenario: each step has capacity.warmup and capacity.window');
  if (f.rounds !== undefined) fail('rounds', 'not used in a capacity scenario: every step is one measurement');
  if (f.thresholds) fail('thresholds', 'not used in a capacity scenario: the SLO lines are capacity.sloP99');
  if (f.data?.users !== undefined) fail('data.users', 'not used in a capacity scenario: the data sizes are capacity.users');
  const c: CapacityFile = f.capacity ?? {};
  const d = CAPACITY_DEFAULTS;
  const users = ascendingUnique(cap.users ?? c.users ?? d.users, cap.users ? '--users' : `${display}: capacity.users`);
  const fileSlo = c.sloP99 ?? d.sloP99Ms;
  const slo = cap.slo ? (cap.slo.add ? [...fileSlo, ...cap.slo.ms.filter((x) => !fileSlo.includes(x))] : cap.slo.ms) : fileSlo;
  const spec: CapacitySpec = {
    users,
    sloP99Ms: ascendingUnique(slo, cap.slo ? '--slo-p99' : `${display}: capacity.sloP99`),
    budgetMs: cap.budgetMs ?? c.budget ?? d.budgetMs,
    startRate: c.startRate ?? d.startRate,
    growth: c.growth ?? d.growth,
    tolerance: c.tolerance ?? d.tolerance,
    warmupSeconds: c.warmup !== undefined ? c.warmup / 1000 : d.warmupSeconds,
    windowSeconds: c.window !== undefined ? c.window / 1000 : d.windowSeconds,
    maxRate: c.maxRate ?? d.maxRate,
    maxClients: c.maxClients ?? d.maxClients,
  };
  if (spec.maxRate < spec.startRate) fail('capacity.maxRate', `expected at least capacity.startRate (${spec.startRate}), got ${spec.maxRate}`);
  const stepMs = (spec.warmupSeconds + spec.windowSeconds) * 1000;
  if (spec.budgetMs < stepMs) {
    const which = cap.budgetMs !== undefined ? '--budget' : `${display}: capacity.budget`;
    throw new UsageError(`${which}: ${spec.budgetMs / 1000}s is too small for even one step (warm-up ${spec.warmupSeconds}s + window ${spec.windowSeconds}s)`);
  }
  const usersFrom = cap.users ? ', from --users' : '';
  if (c.profile) spec.profile = resolveProfile(c.profile, users, display, usersFrom);
  if (f.keys?.distribution === 'hotset' && f.keys.hotUsers > users[0]) {
    fail('keys.hotUsers', `expected at most the smallest data size (${users[0]}${usersFrom}), got ${f.keys.hotUsers}`);
  }
  if (f.mix && !((f.mix.write ?? 0) > 0)) fail('mix.write', 'expected a weight > 0: the search judges write latency');
  const first = capacityStepLoad(spec, spec.startRate);
  const asRun: ScenarioFile = {
    ...f,
    kind: undefined,
    capacity: undefined,
    data: { ...f.data, users: users[0] },
    load: { model: 'open', rate: first.rate, clients: first.clients, maxInFlight: first.maxInFlight },
    phases: { warmup: spec.warmupSeconds * 1000, duration: spec.windowSeconds * 1000 },
    mix: f.mix ?? CAPACITY_MIX,
  };
  return { ...resolve(asRun, parseOverrides({ strategies }), display, stem), capacity: spec };
}

function notCapacity(display: string, nameOrPath: string): never {
  throw new UsageError(`${display} is a capacity scenario (kind: capacity): run it with "counterbench capacity --scenario ${nameOrPath}"`);
}

// ---- the API ------------------------------------------------------------------------------------

/**
 * A scenario by built-in name (scenarios/<name>.yaml), by path (anything with a '/' or a
 * .yaml/.yml/.json ending), or the default one when undefined; then the command-line overrides.
 * In the closed model, stages ramp the number of clients from load.clients; in the open model,
 * the arrival rate from load.rate. `--rate` on a closed scenario makes it open.
 */
export function loadScenario(nameOrPath: string | undefined, overrides: ScenarioOverrides = {}): Scenario {
  const loc = locate(nameOrPath ?? DEFAULT_SCENARIO);
  const data = readData(loc);
  if (isSuiteData(data)) throw new UsageError(`${loc.display} is a suite (kind: suite): run it with "counterbench run --scenario ${nameOrPath}"`);
  const file = parseScenarioFile(data, loc.display);
  if (file.kind === 'capacity') notCapacity(loc.display, nameOrPath!);
  return resolve(file, parseOverrides(overrides), loc.display, loc.stem);
}

/** For scenarios not kept in a file (tests, `calibrate`): same validation, same defaults. */
export function scenarioFromObject(data: unknown, overrides: ScenarioOverrides = {}, display = '(scenario)'): Scenario {
  const file = parseScenarioFile(data, display);
  if (file.kind === 'capacity') notCapacity(display, display);
  return resolve(file, parseOverrides(overrides), display, 'custom');
}

export const DEFAULT_CAPACITY_SCENARIO = 'capacity';

/** A capacity scenario (`kind: capacity`) by name or path, `capacity` when undefined, with the
 *  command line's overrides; the result carries `capacity`. */
export function loadCapacityScenario(nameOrPath: string | undefined, overrides: CapacityOverrides = {}): Scenario {
  const loc = locate(nameOrPath ?? DEFAULT_CAPACITY_SCENARIO);
  const file = parseScenarioFile(readData(loc), loc.display);
  if (file.kind !== 'capacity') {
    throw new UsageError(`${loc.display} is not a capacity scenario: expected kind: capacity (built-in: ${builtinNames().filter((n) => n.startsWith('capacity')).join(', ')})`);
  }
  return resolveCapacity(file, parseCapacityOverrides(overrides), overrides.strategies, loc.display, loc.stem);
}

/** A capacity scenario not kept in a file (tests): same validation, same defaults. */
export function capacityScenarioFromObject(data: unknown, overrides: CapacityOverrides = {}, display = '(scenario)'): Scenario {
  const file = parseScenarioFile(data, display);
  if (file.kind !== 'capacity') throw new UsageError(`${display} is not a capacity scenario: expected kind: capacity`);
  return resolveCapacity(file, parseCapacityOverrides(overrides), overrides.strategies, display, 'custom');
}

/** Any built-in scenario, whatever its kind. */
/** A scenario file's content as read, for a loader of another kind of file (a suite,
 *  harness/suite/suite-file.ts); `display` names it in messages. */
export function readScenarioSource(nameOrPath: string): { data: unknown; display: string; stem: string } {
  const loc = locate(nameOrPath);
  return { data: readData(loc), display: loc.display, stem: loc.stem };
}

/** A suite file (kind: suite) is a list of phases, each a scenario: it has its own loader. */
export function isSuiteData(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>).kind === 'suite';
}

export function loadAnyScenario(name: string): Scenario {
  const loc = locate(name);
  const file = parseScenarioFile(readData(loc), loc.display);
  return file.kind === 'capacity' ? resolveCapacity(file, {}, undefined, loc.display, loc.stem) : resolve(file, {}, loc.display, loc.stem);
}

export function listScenarios(): Array<{ name: string; description: string; kind: 'run' | 'capacity' | 'suite' }> {
  return builtinNames().map((name) => {
    const data = readData(locate(name));
    if (isSuiteData(data)) {
      const d = data as Record<string, unknown>;
      return { name: typeof d.name === 'string' ? d.name : name, description: typeof d.description === 'string' ? d.description : '', kind: 'suite' as const };
    }
    const s = loadAnyScenario(name);
    return { name: s.name, description: s.description, kind: s.capacity ? 'capacity' : 'run' };
  });
}
