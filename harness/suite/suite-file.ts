// Suite files (`kind: suite`, YAML or JSON) → a validated Suite. Every phase is checked before
// anything runs: a phase that names a strategy, a claim, a spec or a field that does not exist is
// one UsageError naming the file, the phase and the field, so nothing is ever deployed for a
// suite that would fail half-way for a typo.
import { UsageError } from '../errors.ts';
import { readScenarioSource, scenarioFromObject, show } from '../config/scenario.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from '../config/strategy-ids.ts';
import { ANALYSIS_CLAIMS } from '../../reports/analysis.ts';
import { loadSpecs } from '../interleave/spec.ts';
import type { SuitePhaseKind } from '../results/types.ts';
import type { Scenario } from '../config/types.ts';
import type { Suite, SuitePhaseSpec } from './types.ts';

const KINDS: readonly SuitePhaseKind[] = ['load', 'interleave', 'refresh', 'double-increment', 'slow-inserts', 'bypass', 'batch'];
const SUITE_KEYS = ['kind', 'name', 'description', 'main', 'defaults', 'phases'];
const PHASE_KEYS: Record<SuitePhaseKind, string[]> = {
  load: ['scenario', 'baseline'],
  interleave: ['strategies', 'specs'],
  refresh: ['scenario', 'refresh'],
  'double-increment': ['scenario'],
  'slow-inserts': ['scenario'],
  bypass: ['scenario', 'bypass'],
  batch: ['scenario', 'batch'],
};
const COMMON_PHASE_KEYS = ['name', 'kind', 'title', 'decides'];

/** The strategies a problem phase is about; its scenario may leave them out. */
const FIXED_STRATEGIES: Partial<Record<SuitePhaseKind, string[]>> = {
  refresh: ['materialized-view'],
  'double-increment': ['manual-update'],
  'slow-inserts': ['production-trigger'],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class At {
  constructor(
    readonly display: string,
    readonly path: string,
  ) {}
  fail(message: string, field?: string): never {
    const where = [this.path, field].filter(Boolean).join(this.path && field && !field.startsWith('[') ? '.' : '');
    throw new UsageError(`${this.display}: ${where ? `${where}: ` : ''}${message}`);
  }
  keys(o: Obj, allowed: string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(`unknown key (expected one of: ${allowed.join(', ')})`, k);
  }
}

function text(at: At, o: Obj, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') at.fail(`expected a string, got ${show(v)}`, key);
  return v as string;
}

function list(at: At, o: Obj, key: string): unknown[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) at.fail(`expected a list, got ${Array.isArray(v) ? 'an empty list' : show(v)}`, key);
  return v as unknown[];
}

function ints(at: At, o: Obj, key: string, min: number, fallback: number[]): number[] {
  const v = list(at, o, key) ?? fallback;
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) at.fail(`expected an integer >= ${min}, got ${show(x)}`, `${key}[${i}]`);
    if (i > 0 && (x as number) <= (v[i - 1] as number)) at.fail(`expected ascending sizes, got ${show(x)} after ${show(v[i - 1])}`, `${key}[${i}]`);
  });
  return v as number[];
}

function int(at: At, o: Obj, key: string, min: number, fallback: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) at.fail(`expected an integer >= ${min}, got ${show(v)}`, key);
  return v as number;
}

/** Scenario keys of `defaults` under the phase's own; options merge one level deeper. */
function merged(defaults: Obj, own: Obj): Obj {
  const out: Obj = { ...defaults, ...own };
  if (isObj(defaults.options) || isObj(own.options)) out.options = { ...(isObj(defaults.options) ? defaults.options : {}), ...(isObj(own.options) ? own.options : {}) };
  return out;
}

function phaseScenario(at: At, p: Obj, kind: SuitePhaseKind, name: string, defaults: Obj): Scenario {
  const own = p.scenario ?? {};
  if (!isObj(own)) at.fail(`expected a mapping of scenario settings, got ${show(own)}`, 'scenario');
  const data = merged(defaults, own);
  const fixed = FIXED_STRATEGIES[kind];
  if (fixed) {
    if (own.strategies !== undefined && JSON.stringify(own.strategies) !== JSON.stringify(fixed)) {
      at.fail(`a ${kind} phase is about ${fixed.join(', ')}: leave strategies out, or list exactly that`, 'scenario.strategies');
    }
    data.strategies = fixed;
  }
  if (kind === 'double-increment') {
    const mix = isObj(own.mix) ? own.mix : undefined;
    if (mix && mix.delete !== undefined && mix.delete !== 0) {
      at.fail(`expected 0: Migration 007's trigger counts no delete, so the counters would not read exactly 2x`, 'scenario.mix.delete');
    }
    data.mix = { write: 1, read: 0, delete: 0, ...(mix ?? {}) };
    const d = isObj(own.data) ? own.data : {};
    if (d.answersPerUser !== undefined && d.answersPerUser !== 0) at.fail('expected 0: the phase starts from no answers, so the counters read 2x the truth exactly', 'scenario.data.answersPerUser');
    data.data = { ...(isObj(data.data) ? data.data : {}), answersPerUser: 0 };
  }
  if (kind === 'refresh' && isObj(own.data) && own.data.answersPerUser !== undefined) {
    at.fail('set by refresh.sizes: the first size is seeded over data.users', 'scenario.data.answersPerUser');
  }
  const s = scenarioFromObject(data, {}, `${at.display}: ${at.path}.scenario`);
  return { ...s, name: `${name}` };
}

function strategyIds(at: At, v: unknown, key: string): string[] {
  if (v === 'all') return [...ALL_STRATEGY_IDS];
  if (!Array.isArray(v) || v.length === 0) at.fail(`expected "all" or a list of strategy ids, got ${show(v)}`, key);
  (v as unknown[]).forEach((id, i) => {
    if (typeof id !== 'string' || !isStrategyId(id)) at.fail(`unknown strategy ${show(id)} (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`, `${key}[${i}]`);
  });
  return v as string[];
}

function parsePhase(display: string, raw: unknown, i: number, defaults: Obj, claimIds: Set<string>, specIds: () => string[]): SuitePhaseSpec {
  const at: At = new At(display, `phases[${i}]`);
  if (!isObj(raw)) at.fail(`expected a mapping with name, kind and the phase's settings, got ${show(raw)}`);
  const name = text(at, raw, 'name', true)!;
  if (!/^[a-z0-9-]{1,40}$/.test(name)) at.fail(`expected 1-40 of a-z, 0-9, -; got ${show(name)}`, 'name');
  const kind = (raw.kind ?? 'load') as SuitePhaseKind;
  if (!KINDS.includes(kind)) at.fail(`expected one of: ${KINDS.join(', ')}, got ${show(raw.kind)}`, 'kind');
  at.keys(raw, [...COMMON_PHASE_KEYS, ...PHASE_KEYS[kind]]);
  const decides = (list(at, raw, 'decides') ?? []).map((id, k) => {
    if (typeof id !== 'string' || !claimIds.has(id)) at.fail(`unknown claim ${show(id)} (expected one of: ${[...claimIds].join(', ')})`, `decides[${k}]`);
    return id as string;
  });
  const phase: SuitePhaseSpec = { name, kind, title: text(at, raw, 'title', false) ?? name, decides };
  if (kind === 'interleave') {
    phase.strategies = strategyIds(at, raw.strategies ?? 'all', 'strategies');
    const specs = list(at, raw, 'specs');
    if (specs) {
      const known = specIds();
      specs.forEach((id, k) => {
        if (typeof id !== 'string' || !known.includes(id)) at.fail(`unknown spec ${show(id)} (expected one of: ${known.join(', ')})`, `specs[${k}]`);
      });
      phase.specs = specs as string[];
    }
    return phase;
  }
  phase.scenario = phaseScenario(at, raw, kind, name, defaults);
  if (raw.baseline !== undefined) {
    if (typeof raw.baseline !== 'boolean') at.fail(`expected true or false, got ${show(raw.baseline)}`, 'baseline');
    phase.baseline = raw.baseline;
  }
  if (kind === 'refresh') {
    const r = raw.refresh ?? {};
    if (!isObj(r)) at.fail(`expected a mapping {sizes, timings}, got ${show(r)}`, 'refresh');
    const rat: At = new At(display, `phases[${i}].refresh`);
    rat.keys(r, ['sizes', 'timings']);
    const sizes = ints(rat, r, 'sizes', 1, [1_000_000, 2_000_000, 4_000_000]);
    if (sizes[0] < phase.scenario.data.users) rat.fail(`expected at least one answer per user (${phase.scenario.data.users} users), got ${sizes[0]}`, 'sizes[0]');
    phase.refresh = { sizes, timings: int(rat, r, 'timings', 1, 3) };
    phase.scenario = { ...phase.scenario, data: { ...phase.scenario.data, answersPerUser: Math.floor(sizes[0] / phase.scenario.data.users) } };
  }
  if (kind === 'batch') {
    const b = raw.batch ?? {};
    if (!isObj(b)) at.fail(`expected a mapping {sizes, methods, rowsPerCell}, got ${show(b)}`, 'batch');
    const bat: At = new At(display, `phases[${i}].batch`);
    bat.keys(b, ['sizes', 'methods', 'rowsPerCell']);
    const methods = (list(bat, b, 'methods') ?? ['insert', 'copy']).map((m, k) => {
      if (m !== 'insert' && m !== 'copy') bat.fail(`expected "insert" or "copy", got ${show(m)}`, `methods[${k}]`);
      return m as 'insert' | 'copy';
    });
    phase.batch = { sizes: ints(bat, b, 'sizes', 1, [1, 100, 10_000]), methods, rowsPerCell: int(bat, b, 'rowsPerCell', 1, 10_000) };
  }
  if (kind === 'bypass') {
    const b = raw.bypass ?? {};
    if (!isObj(b)) at.fail(`expected a mapping {rows}, got ${show(b)}`, 'bypass');
    const bat: At = new At(display, `phases[${i}].bypass`);
    bat.keys(b, ['rows']);
    phase.bypass = { rows: int(bat, b, 'rows', 1, 10) };
    if (phase.bypass.rows > phase.scenario.data.users * phase.scenario.data.answersPerUser) {
      bat.fail(`expected at most the seeded answers (${phase.scenario.data.users * phase.scenario.data.answersPerUser}), got ${phase.bypass.rows}`, 'rows');
    }
  }
  return phase;
}

/** Validates suite data already read from a file (or written in a test). */
export function parseSuite(data: unknown, display: string, stem: string): Suite {
  const at: At = new At(display, '');
  if (!isObj(data)) at.fail(`expected a mapping, got ${show(data)}`);
  at.keys(data, SUITE_KEYS);
  if (data.kind !== 'suite') at.fail(`expected kind: suite, got ${show(data.kind)}`, 'kind');
  const defaults = data.defaults ?? {};
  if (!isObj(defaults)) at.fail(`expected a mapping of scenario settings every phase starts from, got ${show(defaults)}`, 'defaults');
  const raw = list(at, data, 'phases');
  if (!raw) at.fail('expected a list of phases', 'phases');
  const claimIds = new Set<string>(ANALYSIS_CLAIMS.map((c) => c.id));
  let specs: string[] | undefined;
  const specIds = () => (specs ??= loadSpecs().map((s) => s.id));
  const phases = raw!.map((p, i) => parsePhase(display, p, i, defaults, claimIds, specIds));
  phases.forEach((p, i) => {
    if (phases.findIndex((q) => q.name === p.name) !== i) new At(display, `phases[${i}]`).fail(`phase "${p.name}" is named twice`, 'name');
  });
  const main = text(at, data, 'main', false) ?? phases.find((p) => p.kind === 'load')?.name ?? null;
  if (main !== null && !phases.some((p) => p.name === main && p.scenario)) {
    at.fail(`expected the name of a phase with a scenario (${phases.filter((p) => p.scenario).map((p) => p.name).join(', ')}), got ${show(main)}`, 'main');
  }
  return { name: text(at, data, 'name', false) ?? stem, description: text(at, data, 'description', false) ?? '', main, phases };
}

/** A suite by built-in name or path; undefined when the file is not a suite. */
export function loadSuiteIfSuite(nameOrPath: string): Suite | undefined {
  const src = readScenarioSource(nameOrPath);
  if (!isObj(src.data) || src.data.kind !== 'suite') return undefined;
  return parseSuite(src.data, src.display, src.stem);
}
