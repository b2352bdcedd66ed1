// Threshold expressions as scenarios write them: "<metric> <op> <number>", e.g.
// "ops.write.latencyMs.p99 < 50". The metric is checked against the shape of a StrategyResult
// here, so a typo fails when the scenario loads instead of silently judging nothing after the run.
import type { Threshold } from './types.ts';

const EXPRESSION = /^\s*([A-Za-z_][\w.-]*)\s*(<=|>=|==|<|>)\s*(-?(?:\d+(?:\.\d+)?|\.\d+)(?:e-?\d+)?)\s*(%|ms)?\s*$/;

const OPS = ['write', 'read', 'delete'];
const OP_FIELDS = ['count', 'errors', 'attempts', 'retries', 'throughput'];
const LATENCY_STATS = ['mean', 'p50', 'p95', 'p99', 'p999', 'max'];
/** aggregates over the strategy's counters (see results/thresholds.ts) */
export const DRIFT_METRICS = ['consistencyPct', 'lost', 'extra', 'maxAbsDrift', 'convergeMs'];

export const METRIC_EXAMPLES =
  'ops.<write|read|delete>.<count|errors|attempts|retries|throughput>, ' +
  'ops.<op>.<latencyMs|serviceTimeMs>.<mean|p50|p95|p99|p999|max>, ops.<op>.errorsByKind.<kind>, ' +
  'drift.<consistencyPct|lost|extra|maxAbsDrift|convergeMs>, vsBaseline.<writeLatencyRatio|writeThroughputRatio>, ' +
  'server.<name>';

/** undefined when the metric names something a StrategyResult can hold, else why not */
export function checkMetric(metric: string): string | undefined {
  const p = metric.split('.');
  const bad = `unknown metric "${metric}" (expected one of: ${METRIC_EXAMPLES})`;
  switch (p[0]) {
    case 'ops': {
      if (!OPS.includes(p[1])) return bad;
      if (p.length === 3 && OP_FIELDS.includes(p[2])) return undefined;
      if (p.length === 4 && (p[2] === 'latencyMs' || p[2] === 'serviceTimeMs') && LATENCY_STATS.includes(p[3])) return undefined;
      if (p.length === 4 && p[2] === 'errorsByKind' && p[3] !== '') return undefined;
      return bad;
    }
    case 'drift':
      if (p.length === 2 && DRIFT_METRICS.includes(p[1])) return undefined;
      if (p.length === 3 && p[1] === 'counters' && DRIFT_METRICS.includes(p[2])) return undefined;
      return bad;
    case 'vsBaseline':
      return p.length === 2 && (p[1] === 'writeLatencyRatio' || p[1] === 'writeThroughputRatio') ? undefined : bad;
    case 'server':
      return p.length >= 2 && p.every((s) => s !== '') ? undefined : bad;
    default:
      return bad;
  }
}

/** The parsed threshold, or a message saying what is wrong with the expression. */
export function parseThresholdExpression(expression: string, strategies?: string[]): Threshold | string {
  const m = EXPRESSION.exec(expression);
  if (!m) return `expected "<metric> <op> <number>" with op one of <, <=, >, >=, ==, got ${JSON.stringify(expression)}`;
  const metricError = checkMetric(m[1]);
  if (metricError) return metricError;
  const t: Threshold = { expression: expression.trim(), metric: m[1], op: m[2] as Threshold['op'], value: Number(m[3]) };
  if (strategies) t.strategies = strategies;
  return t;
}
