// Interleaving specs: sessions of steps, as data (YAML files under harness/interleave/specs/, or a
// user's own). Validated like scenario files: unknown keys are errors, and every error names the
// file, the field and what was expected.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import YAML from 'yaml';
import { UsageError } from '../errors.ts';
import { dottedPath, show } from '../config/scenario.ts';
import type { Strategy } from '../strategies/types.ts';
import { countInterleavings } from './permutations.ts';

export const SPECS_DIR = fileURLToPath(new URL('./specs/', import.meta.url));

/** More orders than this and a spec is too big to run inside a test suite: split it. */
export const MAX_PERMUTATIONS = 2000;
export const MAX_SESSIONS = 3;

export const ISOLATION_LEVELS = ['read committed', 'repeatable read', 'serializable'] as const;
export type Isolation = (typeof ISOLATION_LEVELS)[number];

export type ActionName = 'write' | 'delete';

/** One step of a session. An action runs the strategy's own code: whole (`write`), or one of
 *  its statements at a time (`write.2`; `write.*` expands to every statement it sends). */
export type Step =
  | { kind: 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'read' | 'die' | 'jobs' }
  | { kind: 'action'; action: ActionName; part: 'all' | 'each' | number };

export interface SpecSession {
  name: string;
  steps: Step[];
}

/** Which strategies a spec applies to: every strategy with a counter ('all'), or those that
 *  any one of the selectors matches (all of a selector's keys must hold). */
export interface Selector {
  /** ids; an id no strategy has yet is allowed: the spec applies once one does */
  strategies?: string[];
  multiStatement?: boolean;
  needsRedis?: boolean;
  except?: string[];
}

export interface InterleaveSpec {
  id: string;
  title: string;
  about: string;
  appliesTo: 'all' | Selector[];
  isolation: Isolation;
  /** whole actions run one after another before every permutation */
  setup: ActionName[];
  sessions: SpecSession[];
  /** how messages name it */
  source: string;
}

export const STEP_WORDS = 'BEGIN, COMMIT, ROLLBACK, write, delete, read, write.N, write.*, delete.N, delete.*, die, jobs';
const STEP_RE = /^(?:(BEGIN|COMMIT|ROLLBACK|read|die|jobs)|(write|delete)(?:\.(\*|[1-9]\d*))?)$/;

export function parseStep(word: string): Step | undefined {
  const m = STEP_RE.exec(word);
  if (!m) return undefined;
  if (m[1]) return { kind: m[1] as 'BEGIN' };
  const action = m[2] as ActionName;
  return { kind: 'action', action, part: m[3] === undefined ? 'all' : m[3] === '*' ? 'each' : Number(m[3]) };
}

export function stepText(s: Step): string {
  if (s.kind !== 'action') return s.kind;
  return s.part === 'all' ? s.action : `${s.action}.${s.part === 'each' ? '*' : s.part}`;
}

/** What is wrong with one session's order of steps, or undefined. The numbered statements of
 *  an action follow each other directly (write.1, write.2, …); whatever comes after the last
 *  one taken, other than die, finds the rest of the action already sent (see runner.ts). */
function sessionProblem(steps: Step[]): { at: number; problem: string } | undefined {
  let inTx = false;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const word = stepText(s);
    const prev = steps[i - 1];
    if (prev?.kind === 'die') return { at: i, problem: `"${word}" after die: the application is gone` };
    if (s.kind === 'action' && typeof s.part === 'number' && s.part > 1) {
      const follows = prev?.kind === 'action' && prev.action === s.action && prev.part === s.part - 1;
      if (!follows) return { at: i, problem: `"${word}" must come right after ${s.action}.${s.part - 1}: an action's statements are taken in order, from 1` };
    }
    if (s.kind === 'BEGIN') {
      if (inTx) return { at: i, problem: 'BEGIN inside an open transaction' };
      inTx = true;
    } else if (s.kind === 'COMMIT' || s.kind === 'ROLLBACK') {
      if (!inTx) return { at: i, problem: `${s.kind} without a BEGIN before it` };
      inTx = false;
    }
  }
  const last = steps[steps.length - 1];
  if (inTx && last.kind !== 'die') return { at: steps.length - 1, problem: 'the session ends inside its transaction: end it with COMMIT, ROLLBACK or die' };
  return undefined;
}

// ---- the file format --------------------------------------------------------------------------

const text = () =>
  z.unknown().transform((v, ctx): string => {
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    ctx.addIssue({ code: 'custom', message: `expected a non-empty string, got ${show(v)}` });
    return z.NEVER;
  });

const idList = z.unknown().transform((v, ctx): string[] => {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && /^[a-z0-9-]+$/.test(x))) return v as string[];
  ctx.addIssue({ code: 'custom', message: `expected a list of strategy ids, got ${Array.isArray(v) ? (v.length ? 'a list with something else in it' : 'an empty list') : show(v)}` });
  return z.NEVER;
});

const bool = () =>
  z.unknown().transform((v, ctx): boolean => {
    if (typeof v === 'boolean') return v;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got ${show(v)}` });
    return z.NEVER;
  });

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

const selector = obj({ strategies: idList.optional(), multiStatement: bool().optional(), needsRedis: bool().optional(), except: idList.optional() }).superRefine((s, ctx) => {
  if (s.strategies === undefined && s.multiStatement === undefined && s.needsRedis === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a selector needs strategies, multiStatement or needsRedis' });
  }
});

const appliesTo = z.unknown().transform((v, ctx): 'all' | Selector[] => {
  if (v === 'all') return 'all';
  const list = Array.isArray(v) ? v : [v];
  const out: Selector[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = selector.safeParse(list[i]);
    if (!r.success) {
      for (const iss of r.error.issues) {
        const keys = iss.code === 'unrecognized_keys' ? [iss.keys[0]] : [];
        ctx.addIssue({ code: 'custom', message: iss.message, path: [...(Array.isArray(v) ? [i] : []), ...iss.path, ...keys] });
      }
      return z.NEVER;
    }
    out.push(r.data);
  }
  if (!out.length) {
    ctx.addIssue({ code: 'custom', message: 'expected "all", a selector {strategies, multiStatement, needsRedis, except} or a list of them' });
    return z.NEVER;
  }
  return out;
});

const stepList = (what: string, allowed: (s: Step) => boolean, allowedWords: string) =>
  z.unknown().transform((v, ctx): Step[] => {
    if (!Array.isArray(v) || v.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a list of ${what}, got ${Array.isArray(v) ? 'an empty list' : show(v)}` });
      return z.NEVER;
    }
    const out: Step[] = [];
    for (let i = 0; i < v.length; i++) {
      const s = typeof v[i] === 'string' ? parseStep(v[i]) : undefined;
      if (!s || !allowed(s)) {
        ctx.addIssue({ code: 'custom', message: `expected one of: ${allowedWords}; got ${show(v[i])}`, path: [i] });
        return z.NEVER;
      }
      out.push(s);
    }
    return out;
  });

const sessionsSchema = z.unknown().transform((v, ctx): SpecSession[] => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected a mapping of session name to its steps, got ${show(v)}` });
    return z.NEVER;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length < 1 || entries.length > MAX_SESSIONS) {
    ctx.addIssue({ code: 'custom', message: `expected 1 to ${MAX_SESSIONS} sessions, got ${entries.length}` });
    return z.NEVER;
  }
  const steps = stepList('steps', () => true, STEP_WORDS);
  const out: SpecSession[] = [];
  for (const [name, list] of entries) {
    if (!/^[a-z][a-z0-9_]{0,15}$/.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'a session name is 1-16 of a-z, 0-9, _ (starting with a letter)', path: [name] });
      return z.NEVER;
    }
    const r = steps.safeParse(list);
    if (!r.success) {
      const iss = r.error.issues[0];
      ctx.addIssue({ code: 'custom', message: iss.message, path: [name, ...iss.path] });
      return z.NEVER;
    }
    const bad = sessionProblem(r.data);
    if (bad) {
      ctx.addIssue({ code: 'custom', message: bad.problem, path: [name, bad.at] });
      return z.NEVER;
    }
    out.push({ name, steps: r.data });
  }
  return out;
});

const fileSchema = obj({
  id: z.unknown().transform((v, ctx): string => {
    if (typeof v === 'string' && /^[a-z][a-z0-9-]{0,47}$/.test(v)) return v;
    ctx.addIssue({ code: 'custom', message: `expected an id of a-z, 0-9 and dashes, got ${show(v)}` });
    return z.NEVER;
  }),
  title: text(),
  about: text(),
  appliesTo,
  isolation: z
    .unknown()
    .transform((v, ctx): Isolation => {
      if ((ISOLATION_LEVELS as readonly unknown[]).includes(v)) return v as Isolation;
      ctx.addIssue({ code: 'custom', message: `expected one of: ${ISOLATION_LEVELS.join(', ')}; got ${show(v)}` });
      return z.NEVER;
    })
    .optional(),
  setup: stepList('whole actions', (s) => s.kind === 'action' && s.part === 'all', 'write, delete').optional(),
  sessions: sessionsSchema,
});

function issueMessage(source: string, issue: z.core.$ZodIssue): string {
  let p: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys') p = [...p, issue.keys[0]];
  const at = dottedPath(p);
  return `${source}: ${at === '' ? '' : `${at}: `}${issue.message}`;
}

/** Validates one spec already parsed from a file (or written in a test). */
export function parseSpec(data: unknown, source: string): InterleaveSpec {
  if (data === null || data === undefined) throw new UsageError(`${source}: expected a mapping with id, title, about, appliesTo and sessions, got an empty file`);
  const r = fileSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues.find((i) => i.code === 'unrecognized_keys') ?? r.error.issues[0];
    throw new UsageError(issueMessage(source, issue));
  }
  const f = r.data;
  const spec: InterleaveSpec = {
    id: f.id,
    title: f.title,
    about: f.about,
    appliesTo: f.appliesTo,
    isolation: f.isolation ?? 'read committed',
    setup: (f.setup ?? []).map((s) => (s as { action: ActionName }).action),
    sessions: f.sessions,
    source,
  };
  // a spec without write.* has one size for every strategy: too big is known now
  if (!spec.sessions.some((s) => s.steps.some((x) => x.kind === 'action' && x.part === 'each'))) {
    const n = countInterleavings(spec.sessions.map((s) => s.steps.length));
    if (n > MAX_PERMUTATIONS) throw new UsageError(`${source}: sessions: ${n} permutations, more than ${MAX_PERMUTATIONS}: split it into smaller specs`);
  }
  return spec;
}

export function loadSpecFile(file: string, display = file): InterleaveSpec {
  if (!existsSync(file)) throw new UsageError(`${display}: spec file not found`);
  if (!/\.(ya?ml|json)$/.test(file)) throw new UsageError(`${display}: expected a .yaml, .yml or .json spec file`);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${display}: cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(content) : YAML.parse(content, { prettyErrors: true });
  } catch (e) {
    throw new UsageError(`${display}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseSpec(data, display);
}

/** Specs from files; the built-in ones (in their files' order) when none is given. */
export function loadSpecs(files?: readonly string[]): InterleaveSpec[] {
  const specs = files?.length
    ? files.map((f) => loadSpecFile(path.resolve(f), f))
    : readdirSync(SPECS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => loadSpecFile(path.join(SPECS_DIR, f), `harness/interleave/specs/${f}`));
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.id);
    if (other) throw new UsageError(`${s.source}: id: "${s.id}" is also the id of ${other}`);
    seen.set(s.id, s.source);
  }
  return specs;
}

/** Whether the spec is for this strategy. A strategy without a counter has nothing to lose. */
export function specApplies(spec: InterleaveSpec, s: Strategy): boolean {
  if (!s.counters.length) return false;
  if (spec.appliesTo === 'all') return true;
  return spec.appliesTo.some(
    (sel) =>
      (sel.strategies === undefined || sel.strategies.includes(s.id)) &&
      (sel.multiStatement === undefined || !!s.multiStatement === sel.multiStatement) &&
      (sel.needsRedis === undefined || !!s.needsRedis === sel.needsRedis) &&
      !sel.except?.includes(s.id),
  );
}
