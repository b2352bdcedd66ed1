// What compare compares for one strategy, and in which form. A figure that follows the amount
// of work the run managed (dead tuples, WAL bytes, lock-wait samples, job runs) is turned into a
// rate per write or per second first: as a run total it only says how fast the machine was. A
// figure measured in every round brings its rounds as samples for the statistics; one measured
// once per run (the last round's server record) is shown, never judged.
import type { Results, RoundResult, StrategyResult } from '../harness/results/types.ts';
import { errorRatePct, isRecord, OP_NAMES, serverFigures } from './figures.ts';
import { median } from '../harness/run/aggregate.ts';

export type Direction = 'lower-is-better' | 'higher-is-better' | 'neutral';
export type FigureKind = 'latency' | 'throughput' | 'errors' | 'consistency' | 'cost-ratio' | 'server' | 'capacity' | 'drift';
export type Normalization = 'per write' | 'per second';

export interface FigureSource {
  figure: string;
  kind: FigureKind;
  direction: Direction;
  /** one value per round; null when the run measured it once */
  samples: number[] | null;
  /** the median of the samples, or the one value */
  value: number | undefined;
  /** an extensive server figure divided by the phase's writes or seconds */
  normalized?: Normalization;
}

const LATENCY_FIELDS = ['p50', 'p99', 'mean'] as const;

/** Server figures that are the denominators or the sampler's own bookkeeping, not costs
 *  (statements.changed counts distinct statements, which no amount of work divides). */
const NOT_COMPARED = /^(spanMs|ops\.|lockWaits\.(durationMs|intervalMs|samples|activeBackendSamples|errors)$|wal\.lsnBytes$|statements\.changed$)/;
/** Already a rate, a ratio or a per-operation figure: compared as it is. */
const INTENSIVE = /(PerWrite|PerOp|PerRow|Ratio|Pct|meanMs|maxMs|p50Ms|p99Ms|maxConcurrent)$/;
/** Follows the phase's length, not its work: background jobs, samplers, the server's own
 *  housekeeping. Everything else extensive follows the work: per write. */
const PER_SECOND = /(lockWaitSamples|lockWaitMs|estWaitMs|refreshes|runs|Runs|syncs|checkpoints\.|deadlocks)$|^checkpoints\./;

/** A cache that hits more is better; commits (reads and jobs commit too) and HOT updates (the
 *  cheaper kind of an update) are not a cost by themselves: shown, never judged. */
const HIGHER_IS_BETTER = /(^|\.)hitRatio$/;
const NEUTRAL = /^(database\.xactCommit|totals\.hotUpdates)$/;

export function serverDirection(name: string): Direction {
  return HIGHER_IS_BETTER.test(name) ? 'higher-is-better' : NEUTRAL.test(name) ? 'neutral' : 'lower-is-better';
}

export function classifyServerFigure(name: string): 'not compared' | 'as-is' | Normalization {
  if (NOT_COMPARED.test(name)) return 'not compared';
  if (INTENSIVE.test(name)) return 'as-is';
  if (PER_SECOND.test(name)) return 'per second';
  return 'per write';
}

function finiteOrUndefined(v: number | null | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** One value per round, or null when any round lacks it (an old file, a round that failed). */
function perRound(rounds: RoundResult[] | undefined, pick: (r: RoundResult) => number | null | undefined): number[] | null {
  if (!rounds?.length) return null;
  const xs = rounds.map((r) => finiteOrUndefined(pick(r)));
  return xs.every((x) => x !== undefined) ? (xs as number[]) : null;
}

function fromSamples(figure: string, kind: FigureKind, direction: Direction, samples: number[] | null, single: number | undefined): FigureSource {
  return { figure, kind, direction, samples, value: samples ? median(samples) : single };
}

/** Per round, the strategy's write figure over baseline's in the same round: what is left of a
 *  noisy machine once it fell on both. */
function ratioSamples(s: StrategyResult, base: StrategyResult | undefined, pick: (r: RoundResult) => number | undefined): number[] | null {
  if (!s.rounds?.length || !base?.rounds?.length) return null;
  const out: number[] = [];
  for (const r of s.rounds) {
    const b = base.rounds.find((x) => x.round === r.round);
    const x = pick(r);
    const y = b && pick(b);
    if (x === undefined || y === undefined || y <= 0) return null;
    out.push(x / y);
  }
  return out;
}

export function figuresOf(results: Results, s: StrategyResult): FigureSource[] {
  const out: FigureSource[] = [];
  for (const op of OP_NAMES) {
    const r = s.ops?.[op];
    if (!r) continue;
    for (const f of LATENCY_FIELDS) {
      out.push(fromSamples(`ops.${op}.latencyMs.${f}`, 'latency', 'lower-is-better', perRound(s.rounds, (x) => x.ops[op]?.latencyMs[f]), r.latencyMs[f]));
    }
    out.push(fromSamples(`ops.${op}.throughput`, 'throughput', 'higher-is-better', perRound(s.rounds, (x) => x.ops[op]?.throughput), r.throughput));
    out.push(fromSamples(`ops.${op}.errorRatePct`, 'errors', 'lower-is-better', perRound(s.rounds, (x) => errorRatePct(x.ops[op])), errorRatePct(r)));
  }
  if (s.id !== 'baseline') {
    const base = results.strategies.find((x) => x.id === 'baseline');
    const lat = ratioSamples(s, base, (r) => (r.ops.write?.count ? r.ops.write.latencyMs.mean : undefined));
    const thr = ratioSamples(s, base, (r) => (r.ops.write?.count ? r.ops.write.throughput : undefined));
    // the median write over baseline's: a stall of the machine lifts a round's mean far more
    // than its median, so this ratio is the steadier one on a shared machine
    const p50 = ratioSamples(s, base, (r) => (r.ops.write?.count ? r.ops.write.latencyMs.p50 : undefined));
    out.push(fromSamples('vsBaseline.writeLatencyRatio', 'cost-ratio', 'lower-is-better', lat, finiteOrUndefined(s.vsBaseline?.writeLatencyRatio)));
    if (p50) out.push(fromSamples('vsBaseline.writeP50Ratio', 'cost-ratio', 'lower-is-better', p50, undefined));
    out.push(fromSamples('vsBaseline.writeThroughputRatio', 'cost-ratio', 'higher-is-better', thr, finiteOrUndefined(s.vsBaseline?.writeThroughputRatio)));
  }
  const server = serverFigures(s);
  // walBytesPerWrite and deadTuplesPerWrite are kept per round: those are tested
  for (const k of ['walBytesPerWrite', 'deadTuplesPerWrite'] as const) {
    const samples = perRound(s.rounds, (r) => r.server?.[k]);
    if (samples || server[k] !== undefined) out.push(fromSamples(`server.${k}`, 'server', 'lower-is-better', samples, server[k]));
  }
  const srv = isRecord(s.server) ? s.server : {};
  const ops = isRecord(srv.ops) ? srv.ops : {};
  // the record's own *PerWrite figures divide by writes + deletes (harness/measure/server.ts: a
  // delete writes too); so do these, or a run with more deletes would look costlier per write
  const inserts = finiteOrUndefined(ops.writes as number);
  const writes = inserts === undefined ? undefined : inserts + (finiteOrUndefined(ops.deletes as number) ?? 0);
  const spanMs = finiteOrUndefined(srv.spanMs as number);
  for (const [name, v] of Object.entries(server)) {
    if (name === 'walBytesPerWrite' || name === 'deadTuplesPerWrite') continue;
    const how = classifyServerFigure(name);
    if (how === 'not compared') continue;
    if (how === 'as-is') {
      out.push({ figure: `server.${name}`, kind: 'server', direction: serverDirection(name), samples: null, value: v });
      continue;
    }
    const per = how === 'per write' ? writes : spanMs !== undefined ? spanMs / 1000 : undefined;
    // nothing to divide by (no writes in the phase): a total would mislead, so it is left out
    if (!per) continue;
    out.push({ figure: `server.${name}`, kind: 'server', direction: serverDirection(name), samples: null, value: v / per, normalized: how });
  }
  return out;
}
