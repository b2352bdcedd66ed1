// The exact check at the end of a strategy's load: every counter of every user (and session)
// against the COUNT(*) of its answer rows.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { CounterDrift } from '../results/types.ts';
import type { CounterSpec, Strategy, StrategyContext } from '../strategies/types.ts';

const TRUTH_BY_USER = `SELECT u.id AS key, count(a.id) AS value
FROM users u LEFT JOIN onboarding_sessions s ON s.user_id = u.id LEFT JOIN user_answers_new a ON a.session_id = s.id
GROUP BY u.id`;
const TRUTH_BY_SESSION = `SELECT s.id AS key, count(a.id) AS value
FROM onboarding_sessions s LEFT JOIN user_answers_new a ON a.session_id = s.id
GROUP BY s.id`;
const MAX_EXAMPLES = 10;

async function keyValues(c: pg.Client, sql: string): Promise<Map<number, number>> {
  const r = await c.query<{ key: string | number; value: string | number }>(sql);
  const m = new Map<number, number>();
  for (const row of r.rows) m.set(Number(row.key), Number(row.value));
  return m;
}

export async function truthByUser(c: pg.Client): Promise<Map<number, number>> {
  return keyValues(c, TRUTH_BY_USER);
}

/** Stored values of one counter; a key without a stored row counts as 0. */
export async function counterValues(c: pg.Client, redis: Redis | undefined, strategy: Strategy, spec: CounterSpec, ctx: StrategyContext) {
  if (spec.source === 'redis') {
    if (!redis || !strategy.readRedisCounters) throw new Error(`${spec.name}: no Redis to read it from`);
    return strategy.readRedisCounters(redis, ctx);
  }
  return keyValues(c, spec.sql!);
}

export function compareCounter(spec: CounterSpec, values: Map<number, number>, truth: Map<number, number>): CounterDrift {
  let inconsistent = 0;
  let lost = 0;
  let extra = 0;
  let maxAbs = 0;
  const examples: CounterDrift['examples'] = [];
  for (const [key, t] of truth) {
    const v = values.get(key) ?? 0;
    const d = v - t;
    if (d === 0) continue;
    inconsistent++;
    if (d < 0) lost += -d;
    else extra += d;
    if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
    if (examples.length < MAX_EXAMPLES) examples.push({ key, counter: v, truth: t });
  }
  // counters for keys the truth does not know (no such user or session) are extra too
  for (const [key, v] of values) {
    if (truth.has(key) || v === 0) continue;
    inconsistent++;
    extra += Math.abs(v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (examples.length < MAX_EXAMPLES) examples.push({ key, counter: v, truth: 0 });
  }
  const checked = truth.size;
  return {
    name: spec.name,
    scope: spec.scope,
    usersChecked: checked,
    usersInconsistent: inconsistent,
    consistencyPct: checked ? ((checked - Math.min(inconsistent, checked)) / checked) * 100 : 100,
    lost,
    extra,
    maxAbsDrift: maxAbs,
    examples,
  };
}

export async function exactCheck(c: pg.Client, redis: Redis | undefined, strategy: Strategy, ctx: StrategyContext): Promise<CounterDrift[]> {
  if (!strategy.counters.length) return [];
  const byUser = strategy.counters.some((k) => k.scope === 'user') ? await keyValues(c, TRUTH_BY_USER) : new Map();
  const bySession = strategy.counters.some((k) => k.scope === 'session') ? await keyValues(c, TRUTH_BY_SESSION) : new Map();
  const out: CounterDrift[] = [];
  for (const spec of strategy.counters) {
    const values = await counterValues(c, redis, strategy, spec, ctx);
    out.push(compareCounter(spec, values, spec.scope === 'user' ? byUser : bySession));
  }
  return out;
}

/** One SELECT of a Postgres counter's total over all keys. */
export function counterSumSql(spec: CounterSpec): string {
  return `SELECT sum(value) AS s FROM (${spec.sql}) x`;
}

/** A counter's total over all keys, wherever it lives. */
export async function counterSum(c: pg.Client, redis: Redis | undefined, strategy: Strategy, spec: CounterSpec, ctx: StrategyContext): Promise<number> {
  if (spec.source === 'redis') {
    let sum = 0;
    for (const v of (await counterValues(c, redis, strategy, spec, ctx)).values()) sum += v;
    return sum;
  }
  const r = await c.query<{ s: string | null }>(counterSumSql(spec));
  return Number(r.rows[0].s ?? 0);
}

/** Each counter's total: the cheap view used while waiting to converge. */
export async function counterSums(c: pg.Client, redis: Redis | undefined, strategy: Strategy, ctx: StrategyContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const spec of strategy.counters) out[spec.name] = await counterSum(c, redis, strategy, spec, ctx);
  return out;
}
