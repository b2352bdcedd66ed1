// Figures derived from results.json that several reports need: the baseline comparison, the
// server-cost record flattened, job events placed on the strategy's time axis, reads out of bounds.
// Everything here reads the open parts of the contract (server, drift.reads) defensively.
import type { DriftResult, OpName, OpResult, Results, StrategyResult } from '../harness/results/types.ts';
import { fmtMs } from './format.ts';

export const OP_NAMES: OpName[] = ['write', 'read', 'delete'];

export function opsPresent(results: Results): OpName[] {
  return OP_NAMES.filter((op) => results.strategies.some((s) => s.ops?.[op]));
}

export function findStrategy(results: Results, id: string): StrategyResult | undefined {
  return results.strategies.find((s) => s.id === id);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export interface BaselineCost {
  /** write mean latency / baseline's write mean latency */
  writeLatencyRatio?: number;
  /** write throughput / baseline's write throughput */
  writeThroughputRatio?: number;
}

/** The strategy's write cost against baseline: the harness's own figure, else computed here. */
export function costVsBaseline(results: Results, s: StrategyResult): BaselineCost {
  const base = findStrategy(results, 'baseline')?.ops?.write;
  const own = s.ops?.write;
  const latency =
    finite(s.vsBaseline?.writeLatencyRatio) ??
    (base && own && base.latencyMs.mean > 0 ? own.latencyMs.mean / base.latencyMs.mean : undefined);
  const throughput =
    finite(s.vsBaseline?.writeThroughputRatio) ??
    (base && own && base.throughput > 0 ? own.throughput / base.throughput : undefined);
  return { writeLatencyRatio: latency, writeThroughputRatio: throughput };
}

/** Whether any strategy's service time of `op` reads differently from its latency at p50 or p99
 *  (as printed): in the open model queueing separates them; in the closed model they are the
 *  same figure and a second column would only repeat it. */
export function serviceTimeDiffers(results: Results, op: OpName): boolean {
  return results.strategies.some((s) => {
    const r = s.ops?.[op];
    const svc = r?.serviceTimeMs;
    if (!r || !svc || r.count === 0) return false;
    return fmtMs(svc.p50) !== fmtMs(r.latencyMs.p50) || fmtMs(svc.p99) !== fmtMs(r.latencyMs.p99);
  });
}

/** The lowest consistency over the strategy's counters, or undefined when none was checked. */
export function minConsistencyPct(drift: DriftResult | undefined): number | undefined {
  if (!drift || drift.counters.length === 0) return undefined;
  return Math.min(...drift.counters.map((c) => c.consistencyPct));
}

// A strategy's counters usually miss the same operations (one skipped trigger run misses all
// three), so summing over counters would count one loss several times: report the worst counter.

/** Increments lost by the strategy's worst counter. */
export function worstLost(drift: DriftResult | undefined): number | undefined {
  if (!drift || drift.counters.length === 0) return undefined;
  return Math.max(...drift.counters.map((c) => c.lost));
}

/** Extra increments of the strategy's worst counter. */
export function worstExtra(drift: DriftResult | undefined): number | undefined {
  if (!drift || drift.counters.length === 0) return undefined;
  return Math.max(...drift.counters.map((c) => c.extra));
}

/** Error rate of one op in percent of its final outcomes. */
export function errorRatePct(op: OpResult | undefined): number | undefined {
  if (!op) return undefined;
  const total = op.count + op.errors;
  return total > 0 ? (op.errors / total) * 100 : 0;
}

// Parts of the server record that are not figures of the strategy's cost: job events, per-table
// and per-statement lists, the sampler's own settings.
const NOT_FIGURES = new Set(['events', 'notes', 'tables', 'phaseStartedAt', 'measuredStartAt', 'startedAt']);
const NOT_FIGURE_LEAVES = /^(intervalMs|samples|applicationNamePrefix|activeBackendSamples)$/;

/** Every finite number in the strategy's server record, nested objects as dotted names. */
export function serverFigures(s: StrategyResult): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (depth === 0 && NOT_FIGURES.has(k)) continue;
      const name = prefix ? `${prefix}.${k}` : k;
      const n = finite(v);
      if (n !== undefined) {
        if (!(depth > 0 && NOT_FIGURE_LEAVES.test(k))) out[name] = n;
      } else if (isRecord(v) && depth < 2) walk(v, name, depth + 1);
    }
  };
  if (isRecord(s.server)) walk(s.server, '', 0);
  return out;
}

/** The figures worth a chart: the record's own top-level numbers (per-write costs) and a few
 *  well-known nested ones; the rest go to the full table. */
const HEADLINE_NESTED = new Set([
  'lockWaits.lockWaitMs',
  'lockWaits.lockWaitSamples',
  'statements.matviewRefresh.refreshes',
  'statements.matviewRefresh.meanMs',
  'database.deadlocks',
  'totals.autovacuumRuns',
  'checkpoints.count',
]);
const NOT_HEADLINE = new Set(['spanMs']);

export function isHeadlineFigure(name: string): boolean {
  if (NOT_HEADLINE.has(name)) return false;
  if (!name.includes('.')) return true;
  if (HEADLINE_NESTED.has(name)) return true;
  // a job's own stats record, e.g. mvRefresh.maxMs
  return /^[^.]*refresh[^.]*\.[^.]+$/i.test(name);
}

/** Every server figure name that any strategy has, in first-seen order. */
export function serverFigureNames(results: Results, headlineOnly = false): string[] {
  const names: string[] = [];
  for (const s of results.strategies) {
    for (const k of Object.keys(serverFigures(s))) {
      if (!names.includes(k) && (!headlineOnly || isHeadlineFigure(k))) names.push(k);
    }
  }
  return names;
}

/** Tabular per-statement stats (pg_stat_statements' top statements of the phase). */
export function serverStatements(s: StrategyResult): Array<Record<string, unknown>> {
  const st = isRecord(s.server) ? s.server.statements : undefined;
  const list = Array.isArray(st) ? st : isRecord(st) && Array.isArray(st.top) ? st.top : [];
  return list.filter(isRecord);
}

/** Why pg_stat_statements figures are missing, when the record says. */
export function statementsUnavailableReason(s: StrategyResult): string | undefined {
  const st = isRecord(s.server) ? s.server.statements : undefined;
  return isRecord(st) && st.available === false && typeof st.reason === 'string' ? st.reason : undefined;
}

/** The measurement's own caveats (statistics not settled, a reset during the phase). */
export function serverNotes(s: StrategyResult): string[] {
  const notes = isRecord(s.server) ? s.server.notes : undefined;
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [];
}

export interface PlacedEvent {
  kind: string;
  /** ms since the strategy's measured phase began; null when the run gave no way to place it */
  tMs: number | null;
  durationMs: number;
  error?: string;
}

const PHASE_START_KEYS = ['phaseStartedAt', 'measuredStartAt', 'measureStartedAt', 'startedAt', 'phaseStartMs'];

function phaseStartEpochMs(server: Record<string, unknown>): number | undefined {
  for (const k of PHASE_START_KEYS) {
    const v = server[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  }
  return undefined;
}

/** Job events (MV refreshes, syncs, checkpoints, autovacuum) on the drift timeline's axis. An
 *  event's `at` is epoch ms (strategies/types.ts JobEvent); small values are taken as already
 *  relative to the phase start, and `tMs` wins when the harness gives it. */
export function strategyEvents(s: StrategyResult): PlacedEvent[] {
  // the runner writes them beside the server figures; older results kept them inside
  const list: unknown[] | undefined = s.events ?? (isRecord(s.server) && Array.isArray(s.server.events) ? s.server.events : undefined);
  if (!list) return [];
  const start = isRecord(s.server) ? phaseStartEpochMs(s.server) : undefined;
  const out: PlacedEvent[] = [];
  for (const e of list) {
    if (!isRecord(e)) continue;
    const kind = typeof e.kind === 'string' ? e.kind : 'event';
    const durationMs = finite(e.durationMs) ?? 0;
    const at = finite(e.at);
    let tMs: number | null = finite(e.tMs) ?? null;
    if (tMs === null && at !== undefined) {
      if (at < 1e11) tMs = at;
      else if (start !== undefined) tMs = at - start;
    }
    const error = typeof e.error === 'string' ? e.error : undefined;
    out.push({ kind, tMs, durationMs, ...(error ? { error } : {}) });
  }
  return out;
}

export interface ReadsOutOfBounds {
  checked: number;
  /** below the lower bound: missed acknowledged inserts (stale or lost) */
  below: number;
  /** above the upper bound: counted inserts that never happened, or missed deletes */
  above: number;
  outOfBounds: number;
  sharePct: number;
  staleP99Ms?: number;
  staleMaxMs?: number;
}

/** The share of reads that showed a count outside what was acknowledged around the read
 *  (drift.reads, the Jepsen-style counter check). */
export function readsOutOfBounds(s: StrategyResult): ReadsOutOfBounds | undefined {
  const r = s.drift?.reads;
  if (!r || !Number.isFinite(r.judged)) return undefined;
  return {
    checked: r.judged,
    below: r.below,
    above: r.above,
    outOfBounds: r.below + r.above,
    sharePct: r.outOfBoundsPct,
    ...(r.staleMs ? { staleP99Ms: r.staleMs.p99, staleMaxMs: r.staleMs.max } : {}),
  };
}

/** Errors of all ops by kind; failures without a kind count as 'unclassified'. */
export function errorsByKind(s: StrategyResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of OP_NAMES) {
    const r = s.ops?.[op];
    if (!r) continue;
    let classified = 0;
    for (const [k, n] of Object.entries(r.errorsByKind ?? {})) {
      if (!Number.isFinite(n) || n <= 0) continue;
      out[k] = (out[k] ?? 0) + n;
      classified += n;
    }
    const rest = r.errors - classified;
    if (rest > 0) out.unclassified = (out.unclassified ?? 0) + rest;
  }
  return out;
}

const FIGURE_LABELS: Record<string, string> = {
  walBytesPerWrite: 'WAL per write',
  deadTuplesPerWrite: 'dead tuples per write',
  walFpiPerWrite: 'WAL full-page images per write',
  buffersPerOp: 'shared buffers touched per operation',
  lockWaits: 'lock waits',
  'lockWaits.lockWaitMs': 'time waiting for locks (sampled)',
  'lockWaits.lockWaitSamples': 'lock waits seen by the sampler',
  'database.deadlocks': 'deadlocks',
  'totals.autovacuumRuns': 'autovacuum runs',
  'checkpoints.count': 'checkpoints',
  'statements.matviewRefresh.refreshes': 'REFRESH runs',
  'statements.matviewRefresh.meanMs': 'mean REFRESH time',
};

/** A reader's name for a server figure; the dotted name stays beside it in the reports. */
export function figureLabel(name: string): string {
  return FIGURE_LABELS[name] ?? name;
}
