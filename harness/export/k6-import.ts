// k6's end-of-test summaries as counterbench results: the figures an exported script records
// (harness/export/k6-script.ts: one sample per operation, tagged op and phase) become ops[] of one
// strategy, so that `report` and `compare` read a k6 run like any other. Both of k6's JSON
// formats are read:
// - handleSummary's data (and k6 v1's --summary-export): metrics[name] = { type, contains,
//   values: { avg, med, 'p(99)', count, rate, ... }, thresholds?: { expr: { ok } } };
// - the legacy --summary-export: metrics[name] = { avg, med, 'p(99)', count, rate, ...,
//   thresholds?: { expr: failed } } (k6 writes true for a threshold that failed).
// Several files (k6-operator's pods, one summary each) add up: counts and rates sum, the mean is
// weighted by count, and a percentile is the highest of the pods' (an upper bound, said so).
import type { LatencySummary, OpName, OpResult } from '../results/types.ts';
import { K6_METRICS } from './k6-thresholds.ts';

export interface K6Summary {
  /** the file it came from, for messages */
  file: string;
  format: 'handleSummary' | 'summary-export';
  metrics: Record<string, Record<string, number>>;
  /** threshold outcomes as k6 judged them: metric{tags} → expression → passed */
  thresholds: Record<string, Record<string, boolean>>;
  testRunDurationMs?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One summary file's data, or a message naming what is wrong with it. */
export function parseK6Summary(data: unknown, file: string): K6Summary | string {
  if (!isObj(data) || !isObj(data.metrics)) return `${file}: not a k6 summary (expected an object with "metrics", from k6 --summary-export or handleSummary)`;
  const metrics: K6Summary['metrics'] = {};
  const thresholds: K6Summary['thresholds'] = {};
  let format: K6Summary['format'] | undefined;
  for (const [name, m] of Object.entries(data.metrics)) {
    if (!isObj(m)) return `${file}: metrics["${name}"]: expected an object`;
    const values = isObj(m.values) ? m.values : m;
    format ??= isObj(m.values) ? 'handleSummary' : 'summary-export';
    const nums: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) if (typeof v === 'number') nums[k] = v;
    metrics[name] = nums;
    if (isObj(m.thresholds)) {
      const t: Record<string, boolean> = {};
      for (const [expr, v] of Object.entries(m.thresholds)) t[expr] = isObj(v) ? v.ok === true : v === false;
      thresholds[name] = t;
    }
  }
  const state = isObj(data.state) ? data.state : undefined;
  return { file, format: format ?? 'handleSummary', metrics, thresholds, ...(typeof state?.testRunDurationMs === 'number' ? { testRunDurationMs: state.testRunDurationMs } : {}) };
}

export interface ImportedOps {
  ops: Partial<Record<OpName, OpResult>>;
  /** k6's threshold verdicts over all files (a threshold failed if it failed in any) */
  thresholds: Array<{ metric: string; expression: string; passed: boolean }>;
  notes: string[];
}

const tag = (op: OpName) => `{op:${op},phase:measure}`;

/** The operations' figures over every file; `measuredSeconds` is what throughput divides by
 *  (the scenario's measured part), else k6's own rate (over the whole test, warm-up included). */
export function importOps(summaries: K6Summary[], measuredSeconds: number | undefined): ImportedOps {
  const ops: ImportedOps['ops'] = {};
  const notes: string[] = [];
  for (const op of ['write', 'read', 'delete'] as OpName[]) {
    // per instance, so that a mean is weighted by its own instance's count when a summary lacks a metric
    const per = summaries.map((s) => ({
      file: s.file,
      dur: s.metrics[`${K6_METRICS.duration}${tag(op)}`] as Record<string, number> | undefined,
      done: s.metrics[`${K6_METRICS.completed}${tag(op)}`] as Record<string, number> | undefined,
      failed: s.metrics[`${K6_METRICS.failures}${tag(op)}`] as Record<string, number> | undefined,
    }));
    const dur = per.flatMap((p) => (p.dur ? [p.dur] : []));
    if (!per.some((p) => p.dur || p.done || p.failed)) continue;
    const count = per.reduce((a, p) => a + (p.done?.count ?? 0), 0);
    const errors = per.reduce((a, p) => a + (p.failed?.count ?? 0), 0);
    const rate = per.reduce((a, p) => a + (p.done?.rate ?? 0), 0);
    const pick = (k: string) => Math.max(...dur.map((m) => m[k] ?? 0));
    const weighted = per.filter((p) => p.dur && (p.done?.count ?? 0) > 0);
    const weight = weighted.reduce((a, p) => a + p.done!.count!, 0);
    const mean = weight > 0
      ? weighted.reduce((a, p) => a + (p.dur!.avg ?? 0) * p.done!.count!, 0) / weight
      : dur.reduce((a, m) => a + (m.avg ?? 0), 0) / (dur.length || 1);
    const unweighed = per.filter((p) => p.dur && !weighted.includes(p)).map((p) => p.file);
    if (weight > 0 && unweighed.length) notes.push(`${op}: the mean leaves out ${unweighed.join(', ')}, whose summary has ${K6_METRICS.duration} but no ${K6_METRICS.completed} count to weigh it by`);
    const latency: LatencySummary = { mean, p50: pick('med'), p95: pick('p(95)'), p99: pick('p(99)'), max: pick('max') };
    if (dur.some((m) => m['p(99.9)'] !== undefined)) latency.p999 = pick('p(99.9)');
    ops[op] = { count, errors, errorsByKind: errors ? { k6: errors } : {}, throughput: measuredSeconds ? count / measuredSeconds : rate, latencyMs: latency };
  }
  if (!Object.keys(ops).length) notes.push(`no ${K6_METRICS.duration}{op:…,phase:measure} figures in the summaries: were they made by a script from 'counterbench export k6'?`);
  if (summaries.length > 1) notes.push(`${summaries.length} summaries (k6 instances) added up: counts and throughput summed, mean weighted by count, each percentile the highest instance's (an upper bound)`);
  if (!measuredSeconds) notes.push("throughput is k6's rate over the whole test, warm-up included (give --scenario for the measured part's)");
  const verdicts = new Map<string, { metric: string; expression: string; passed: boolean }>();
  for (const s of summaries) {
    for (const [metric, t] of Object.entries(s.thresholds)) {
      for (const [expression, passed] of Object.entries(t)) {
        const key = `${metric} ${expression}`;
        const prev = verdicts.get(key);
        verdicts.set(key, { metric, expression, passed: (prev?.passed ?? true) && passed });
      }
    }
  }
  return { ops, thresholds: [...verdicts.values()], notes };
}
