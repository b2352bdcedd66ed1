// The staleness timeline: a few times a second, each counter's total against the true total.
//
// Cheap by construction: one query per sample sums every Postgres counter of the strategy at
// once (one snapshot, so the counters are compared at the same instant), and the truth comes from
// the driver's acknowledged operations (seeded answers + acked inserts - acked deletes), never
// from COUNT(*) over the answers. Totals suffice for the timeline: a counter kept per session
// sums to the same total as one kept per user, and both to the number of answers. (Which users
// drift is the final exact check's job, not this one's.)
import type pg from 'pg';
import type { DriftSample } from '../results/types.ts';
import { MEASURE_TAG } from './server-statements.ts';
import { MEASURE_APP_PREFIX, runSamplerLoop } from './sampler-loop.ts';

export interface DriftCounter {
  /** table.column, e.g. user_stats.total_answers_lifetime */
  name: string;
  scope: 'user' | 'session';
  source: 'postgres' | 'redis';
  /** a SELECT returning the counter's total as one value; default: sum(column) FROM table,
   *  resolved in the strategy's schema */
  sumSql?: string;
}

export type DriftPhase = 'load' | 'drain';

export interface DriftSamplerOptions {
  url: string;
  schema: string;
  counters: DriftCounter[];
  /** the true total now: answers at the start + acknowledged inserts - acknowledged deletes; or
   *  the range it lies in while operations are in flight (lo: begun deletes applied, acknowledged
   *  inserts only; hi: begun inserts applied, acknowledged deletes only) */
  truth: () => number | { lo: number; hi: number };
  /** total of a Redis-held counter */
  redisSum?: (counterName: string) => Promise<number>;
  /** default 200 ms (5 Hz) */
  intervalMs?: number;
  phase: () => DriftPhase;
  /** epoch ms that tMs counts from (the measured phase's start); default: now */
  startedAtMs?: number;
  /** told of each sample as it is taken (a run's /metrics) */
  onSample?: (s: DriftSample) => void;
}

export interface DriftSampler {
  /** takes a last sample, stops, and returns the timeline */
  stop(): Promise<DriftSample[]>;
  /** samples that failed (they are left out of the timeline) */
  errors(): { count: number; last?: string };
  /** the sampler's own load on the server: samples taken and the time their queries took */
  cost(): { samples: number; queryMs: number; meanQueryMs: number | null };
}

const quoteIdent = (s: string) => '"' + s.replace(/"/g, '""') + '"';

/** The default total of a counter named table.column. */
export function defaultSumSql(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new Error(`counter "${name}": expected table.column, or give sumSql`);
  return `SELECT coalesce(sum(${quoteIdent(name.slice(dot + 1))}), 0) FROM ${quoteIdent(name.slice(0, dot))}`;
}

/** One SELECT with a column per Postgres counter: c0, c1, ... */
export function combinedSumSql(counters: DriftCounter[]): string | null {
  const pgCounters = counters.filter((k) => k.source === 'postgres');
  if (pgCounters.length === 0) return null;
  const cols = pgCounters.map((k, i) => `(${(k.sumSql ?? defaultSumSql(k.name)).trim().replace(/;+$/, '')})::float8 AS c${i}`);
  return `${MEASURE_TAG} SELECT ${cols.join(', ')}`;
}

/** How far `sum` lies outside the range the truth took while it was read: the truth moves during
 *  the query, and a strategy that is exact must not show ±1 for a write acknowledged meanwhile. */
export function driftOutside(sum: number, truthBefore: number, truthAfter: number): number {
  const lo = Math.min(truthBefore, truthAfter);
  const hi = Math.max(truthBefore, truthAfter);
  return sum < lo ? sum - lo : sum > hi ? sum - hi : 0;
}

const range = (t: number | { lo: number; hi: number }) => (typeof t === 'number' ? { lo: t, hi: t } : t);

export function startDriftSampler(o: DriftSamplerOptions): DriftSampler {
  const startedAtMs = o.startedAtMs ?? Date.now();
  const intervalMs = o.intervalMs ?? 200;
  const pgCounters = o.counters.filter((k) => k.source === 'postgres');
  const redisCounters = o.counters.filter((k) => k.source === 'redis');
  if (redisCounters.length > 0 && !o.redisSum) {
    throw new Error(`drift sampler: counters ${redisCounters.map((k) => k.name).join(', ')} live in Redis but no redisSum was given`);
  }
  const sql = combinedSumSql(o.counters);
  const samples: DriftSample[] = [];
  let queryMs = 0;

  const tick = async (c: pg.Client) => {
    const phase = o.phase();
    const t0 = Date.now();
    const truthBefore = range(o.truth());
    const [pgRow, redisSums] = await Promise.all([
      sql ? c.query<Record<string, number | null>>(sql).then((r) => r.rows[0]) : Promise.resolve(undefined),
      Promise.all(redisCounters.map((k) => o.redisSum!(k.name))),
    ]);
    const truthAfter = range(o.truth());
    const t1 = Date.now();
    queryMs += t1 - t0;
    // anything the truth could have been while the counters were read
    const lo = Math.min(truthBefore.lo, truthAfter.lo);
    const hi = Math.max(truthBefore.hi, truthAfter.hi);
    const drift: Record<string, number> = {};
    pgCounters.forEach((k, i) => {
      drift[k.name] = driftOutside(Number(pgRow?.[`c${i}`] ?? 0), lo, hi);
    });
    redisCounters.forEach((k, i) => {
      drift[k.name] = driftOutside(redisSums[i], lo, hi);
    });
    const sample: DriftSample = { tMs: Math.round((t0 + t1) / 2 - startedAtMs), phase, drift };
    samples.push(sample);
    o.onSample?.(sample);
  };

  const loop = runSamplerLoop(
    { url: o.url, applicationName: `${MEASURE_APP_PREFIX}:drift`, schema: o.schema },
    intervalMs,
    tick,
  );

  return {
    async stop() {
      await loop.stop({ final: true });
      return samples;
    },
    errors: () => loop.errors(),
    cost: () => ({
      samples: samples.length,
      queryMs,
      meanQueryMs: samples.length > 0 ? Math.round((queryMs / samples.length) * 100) / 100 : null,
    }),
  };
}

const allZero = (s: DriftSample) => Object.values(s.drift).every((d) => d === 0);

/** ms from the end of the load until the first sample from which every counter's drift is 0 to
 *  the end of the timeline: 0 when it never drifted at the end of the load, null when it never
 *  settled or no sample was taken after the load ended. Resolution: the sampling interval. */
export function convergeMs(samples: DriftSample[], loadEndedAtMs: number): number | null {
  if (samples.length === 0 || samples[samples.length - 1].tMs < loadEndedAtMs) return null;
  let first = -1;
  for (let i = samples.length - 1; i >= 0 && allZero(samples[i]); i--) first = i;
  if (first < 0) return null;
  return Math.max(0, samples[first].tMs - loadEndedAtMs);
}
