// A scenario's thresholds in k6's syntax, on the exported script's own metrics tagged by
// operation and phase, so that k6 fails (exit 99) where counterbench would (exit 1). What k6
// cannot see (the counters, the server, the ratio to baseline) is left to `counterbench verify`
// and `import`, and named as such.
import type { Threshold } from '../config/types.ts';

/** The script's metrics: one sample per operation, tagged op (write|read|delete) and phase
 *  (warmup|measure); only the measured part is judged. */
export const K6_METRICS = {
  duration: 'counterbench_op_duration',
  failures: 'counterbench_op_failures',
  completed: 'counterbench_op_completed',
} as const;

export interface K6Thresholds {
  /** metric{tags} → k6 threshold expressions */
  k6: Record<string, string[]>;
  /** thresholds k6 cannot judge, with why */
  left: Array<{ expression: string; why: string }>;
}

const STAT: Record<string, string> = { mean: 'avg', p50: 'med', p95: 'p(95)', p99: 'p(99)', p999: 'p(99.9)', max: 'max' };

export function translateThresholds(thresholds: Threshold[]): K6Thresholds {
  const k6: Record<string, string[]> = {};
  const left: K6Thresholds['left'] = [];
  const add = (metric: string, op: string, expr: string) => {
    const key = `${metric}{op:${op},phase:measure}`;
    (k6[key] ??= []).push(expr);
  };
  for (const t of thresholds) {
    const p = t.metric.split('.');
    const cmp = `${t.op}${t.value}`;
    if (t.strategies?.length) {
      // one script drives one target: a threshold for some strategies only is judged by import
      left.push({ expression: t.expression, why: `applies to ${t.strategies.join(', ')} only; judged by 'counterbench import' for those` });
      continue;
    }
    if (p[0] === 'ops' && p.length === 4 && (p[2] === 'latencyMs' || p[2] === 'serviceTimeMs')) {
      add(K6_METRICS.duration, p[1], `${STAT[p[3]]}${cmp}`);
    } else if (p[0] === 'ops' && p.length === 3 && p[2] === 'errors') {
      add(K6_METRICS.failures, p[1], `count${cmp}`);
    } else if (p[0] === 'ops' && p.length === 3 && p[2] === 'count') {
      add(K6_METRICS.completed, p[1], `count${cmp}`);
    } else if (p[0] === 'ops' && p.length === 3 && p[2] === 'throughput') {
      add(K6_METRICS.completed, p[1], `rate${cmp}`);
    } else {
      const why = p[0] === 'drift' ? "the counters: judged by 'counterbench verify' after the load" : p[0] === 'server' ? "server cost: measured by 'counterbench verify'" : "not a figure k6 measures; judged by 'counterbench import'";
      left.push({ expression: t.expression, why });
    }
  }
  return { k6, left };
}
