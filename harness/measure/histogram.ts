// Latency histograms: hdr-histogram-js, pure JS (no WebAssembly, so no async init), recording
// microseconds from 1 µs to 60 s at 3 significant digits; summaries are in milliseconds.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary, OpName, SeriesPoint } from '../results/types.ts';

export const LOWEST_US = 1;
export const HIGHEST_US = 60_000_000;

type Histogram = hdr.Histogram;

function newHistogram(digits: 2 | 3): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: digits,
    useWebAssembly: false,
  });
}

/** whole microseconds within the trackable range: a value beyond 60 s is kept as 60 s */
function clampUs(us: number): number {
  if (!(us > 0)) return 0;
  const v = Math.round(us);
  return v > HIGHEST_US ? HIGHEST_US : v;
}

/** A LatencyRecorder's values as plain data (see LatencyRecorder.encode). */
export interface EncodedLatency {
  /** hdr-histogram-js's compressed base64; empty when nothing was recorded */
  h: string;
  clamped: number;
  /** the exact extremes recorded, which the encoding rounds to their buckets */
  max: number;
  min: number;
}

/** A SeriesRecorder's cells as plain data (see SeriesRecorder.encode). */
export type EncodedSeries = Array<{ second: number; op: OpName; count: number; errors: number; latency: EncodedLatency | null }>;

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export class LatencyRecorder {
  private readonly h: Histogram;
  /** values beyond the 60 s range, recorded as 60 s */
  clamped = 0;

  constructor(digits: 2 | 3 = 3) {
    this.h = newHistogram(digits);
  }

  record(us: number): void {
    if (us > HIGHEST_US) this.clamped++;
    this.h.recordValue(clampUs(us));
  }

  get count(): number {
    return this.h.totalCount;
  }

  merge(other: LatencyRecorder): void {
    this.h.add(other.h);
    this.clamped += other.clamped;
  }

  /** The recorded values in a form another thread can take (a structured clone of a histogram
   *  loses its class): bucket counts, so that mergeEncoded is exact. */
  encode(): EncodedLatency {
    const h = this.h;
    if (!h.totalCount) return { h: '', clamped: this.clamped, max: 0, min: 0 };
    return { h: hdr.encodeIntoCompressedBase64(h), clamped: this.clamped, max: h.maxValue, min: h.minNonZeroValue };
  }

  mergeEncoded(e: EncodedLatency): void {
    this.clamped += e.clamped;
    if (!e.h) return;
    const other = hdr.decodeFromCompressedBase64(e.h, 32, false) as Histogram & { maxValue: number; minNonZeroValue: number };
    // the encoding keeps bucket counts only, and decoding puts the extremes at their buckets'
    // edges: the exact ones recorded make the merge equal to one histogram fed every value
    other.maxValue = e.max;
    other.minNonZeroValue = e.min;
    this.h.add(other);
    other.destroy();
  }

  /** value at a percentile (0..100), ms */
  percentileMs(p: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / 1000;
  }

  /** in ms, rounded to the µs; all zero when nothing was recorded */
  summary(): LatencySummary {
    const h = this.h;
    if (h.totalCount === 0) return { mean: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    const at = (p: number) => round3(h.getValueAtPercentile(p) / 1000);
    return {
      mean: round3(h.mean / 1000),
      p50: at(50),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: round3(h.maxValue / 1000),
    };
  }

  /** How many values lie at or below each bound (µs, ascending), and their sum in µs: a
   *  Prometheus histogram read from this one. A value counts under a bound when its HDR bucket's
   *  highest value does (3 significant digits: within 0.1% of the bound). */
  cumulative(boundsUs: readonly number[]): { counts: number[]; count: number; sumUs: number } {
    const h = this.h as Histogram & { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } };
    const counts = boundsUs.map(() => 0);
    if (h.totalCount === 0) return { counts, count: 0, sumUs: 0 };
    const it = h.recordedValuesIterator;
    it.reset();
    // one pass (the sum is taken at each bucket's highest value: within 0.1% too)
    let sumUs = 0;
    while (it.hasNext()) {
      const v = it.next();
      sumUs += v.valueIteratedTo * v.countAtValueIteratedTo;
      for (let i = boundsUs.length - 1; i >= 0 && v.valueIteratedTo <= boundsUs[i]; i--) counts[i] += v.countAtValueIteratedTo;
    }
    return { counts, count: h.totalCount, sumUs };
  }

  reset(): void {
    this.h.reset();
    this.clamped = 0;
  }
}

const OPS: readonly OpName[] = ['write', 'read', 'delete'];

interface Cell {
  count: number;
  errors: number;
  latency: LatencyRecorder | null;
}

/**
 * Throughput, errors, p50 and p99 per second and operation. Each (second, op) cell keeps a
 * 2-digit histogram (a few KB) made when first used, so a long run costs little memory.
 * The caller says which second an operation belongs to (the one it completed in, usually).
 * A second in which nothing of an operation completed is a point too, with count 0: a chart that
 * skipped it would draw a line through a stall as if work had gone on.
 */
export class SeriesRecorder {
  private readonly cells: Cell[][] = [];
  /** operations recorded at least once */
  private readonly ops = new Set<OpName>();

  private cell(second: number, op: OpName): Cell {
    const s = second < 0 ? 0 : Math.floor(second);
    let row = this.cells[s];
    if (!row) {
      row = [];
      for (let i = this.cells.length; i < s; i++) this.cells[i] ??= [];
      this.cells[s] = row;
    }
    this.ops.add(op);
    const i = OPS.indexOf(op);
    let c = row[i];
    if (!c) {
      c = { count: 0, errors: 0, latency: null };
      row[i] = c;
    }
    return c;
  }

  /** a successful operation and its latency in µs; with `failed`, an operation that failed for
   *  good (its latency is not kept) */
  record(second: number, op: OpName, us: number, failed = false): void {
    const c = this.cell(second, op);
    if (failed) {
      c.errors++;
      return;
    }
    c.count++;
    (c.latency ??= new LatencyRecorder(2)).record(us);
  }

  /** an operation that failed for good */
  error(second: number, op: OpName): void {
    this.cell(second, op).errors++;
  }

  merge(other: SeriesRecorder): void {
    for (const op of other.ops) this.ops.add(op);
    other.cells.forEach((row, s) => {
      row?.forEach((oc, i) => {
        if (!oc) return;
        const c = this.cell(s, OPS[i]);
        c.count += oc.count;
        c.errors += oc.errors;
        if (oc.latency) (c.latency ??= new LatencyRecorder(2)).merge(oc.latency);
      });
    });
  }

  /** Every cell as plain data, for a SeriesRecorder of another thread (mergeEncoded). */
  encode(): EncodedSeries {
    const out: EncodedSeries = [];
    this.cells.forEach((row, second) => {
      row?.forEach((c, i) => {
        if (c) out.push({ second, op: OPS[i], count: c.count, errors: c.errors, latency: c.latency ? c.latency.encode() : null });
      });
    });
    return out;
  }

  mergeEncoded(e: EncodedSeries): void {
    for (const x of e) {
      const c = this.cell(x.second, x.op);
      c.count += x.count;
      c.errors += x.errors;
      if (x.latency) (c.latency ??= new LatencyRecorder(2)).mergeEncoded(x.latency);
    }
  }

  /**
   * By second, then write, read, delete: every second from 0 until `seconds` (the measured
   * window) and on until the last second anything was recorded in (an open model's backlog
   * draining after the window), one point per operation of `mix` (the operations the load was
   * to send) and per operation recorded. A second in which none of an operation succeeded has
   * p50 and p99 null: no latency was measured there, and 0 would claim one.
   */
  points(seconds = 0, mix: Iterable<OpName> = []): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    const wanted = new Set([...this.ops, ...mix]);
    const ops = OPS.filter((op) => wanted.has(op));
    const span = Math.max(Math.ceil(seconds), this.cells.length);
    for (let t = 0; t < span; t++) {
      const row = this.cells[t];
      for (const op of ops) {
        const c = row?.[OPS.indexOf(op)];
        const latency = c && c.count > 0 ? c.latency : null;
        out.push({
          t,
          op,
          count: c?.count ?? 0,
          errors: c?.errors ?? 0,
          p50: latency ? round3(latency.percentileMs(50)) : null,
          p99: latency ? round3(latency.percentileMs(99)) : null,
        });
      }
    }
    return out;
  }

  reset(): void {
    this.cells.length = 0;
  }
}
