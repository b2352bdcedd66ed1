// Every counter of a strategy against the truth, for the one user a permutation writes. All of
// its answers belong to that user's one session, so the truth of every counter, per user or per
// session, is the number of answer rows; every other user has no answer and counters of 0.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { counterSum, counterSumSql } from '../measure/drift.ts';

export interface CounterReading {
  name: string;
  value: number;
  truth: number;
}

/** One round trip for the Postgres counters and the truth (plus one MGET for a Redis counter),
 *  as seen by `c`: the committed state, or a session's own transaction. */
export async function readCounters(c: pg.Client, redis: Redis | undefined, strategy: Strategy, ctx: StrategyContext): Promise<CounterReading[]> {
  const parts = ['SELECT -1 AS i, count(*) AS s FROM user_answers_new'];
  strategy.counters.forEach((spec, i) => {
    if (spec.source === 'postgres') parts.push(`SELECT ${i}, s FROM (${counterSumSql(spec)}) q${i}`);
  });
  const r = await c.query<{ i: number; s: string | null }>(parts.join(' UNION ALL '));
  const sums = new Map(r.rows.map((x) => [Number(x.i), Number(x.s ?? 0)]));
  const truth = sums.get(-1)!;
  const out: CounterReading[] = [];
  for (const [i, spec] of strategy.counters.entries()) {
    const value = spec.source === 'postgres' ? sums.get(i)! : await counterSum(c, redis, strategy, spec, ctx);
    out.push({ name: spec.name, value, truth });
  }
  return out;
}

/** counter − truth, per counter name. */
export function driftOf(readings: CounterReading[]): Record<string, number> {
  return Object.fromEntries(readings.map((r) => [r.name, r.value - r.truth]));
}

/** The answers the connection's snapshot counts: what a read there should show. */
export async function countAnswers(c: pg.Client): Promise<number> {
  const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new');
  return Number(r.rows[0].n);
}
