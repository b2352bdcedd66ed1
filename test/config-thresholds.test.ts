import { describe, it, expect } from 'vitest';
import { evaluateThresholds, metricValue, thresholdsFailed } from '../harness/results/thresholds.ts';
import { parseThresholdExpression } from '../harness/config/threshold-expression.ts';
import type { Threshold } from '../harness/config/types.ts';
import type { CounterDrift, OpResult, StrategyResult } from '../harness/results/types.ts';

function t(expression: string, strategies?: string[]): Threshold {
  const parsed = parseThresholdExpression(expression, strategies);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function op(p99: number): OpResult {
  return { count: 100, errors: 0, throughput: 50, latencyMs: { mean: p99 / 2, p50: p99 / 3, p95: p99 * 0.9, p99, max: p99 * 2 } };
}

function counter(name: string, consistencyPct: number, lost = 0): CounterDrift {
  return { name, scope: 'user', usersChecked: 100, usersInconsistent: 100 - consistencyPct, consistencyPct, lost, extra: 0, maxAbsDrift: lost, examples: [] };
}

function strategy(id: string, over: Partial<StrategyResult> = {}): StrategyResult {
  return { id, title: id, origin: 'test', status: 'ok', counters: [], ops: {}, ...over };
}

const baseline = strategy('baseline', { ops: { write: op(2) } });
const trigger = strategy('trigger-upsert', {
  counters: ['user_stats.total_answers_lifetime'],
  ops: { write: op(40), read: op(1) },
  drift: { consistent: true, convergeMs: 0, counters: [counter('user_stats.total_answers_lifetime', 100)], timeline: [] },
});
const manual = strategy('manual-update', {
  counters: ['user_stats.total_answers_lifetime', 'onboarding_sessions.questions_answered'],
  ops: { write: op(80) },
  drift: {
    consistent: false,
    convergeMs: null,
    counters: [counter('user_stats.total_answers_lifetime', 97, 12), counter('onboarding_sessions.questions_answered', 85, 30)],
    timeline: [],
  },
});
const generated = strategy('generated-column', { status: 'not-deployable', reason: 'cannot use subquery' });
const all = [baseline, trigger, manual, generated];

describe('thresholds', () => {
  it('judge each ok strategy: pass and fail', () => {
    const out = evaluateThresholds([t('ops.write.latencyMs.p99 < 50')], all);
    expect(out).toEqual([
      { expression: 'ops.write.latencyMs.p99 < 50', strategy: 'baseline', actual: 2, passed: true },
      { expression: 'ops.write.latencyMs.p99 < 50', strategy: 'trigger-upsert', actual: 40, passed: true },
      { expression: 'ops.write.latencyMs.p99 < 50', strategy: 'manual-update', actual: 80, passed: false },
    ]);
    expect(thresholdsFailed(out)).toBe(true);
  });

  it('drift.consistencyPct is the worst counter, 100 for a strategy with none', () => {
    expect(metricValue(manual, 'drift.consistencyPct')).toBe(85);
    expect(metricValue(manual, 'drift.counters.consistencyPct')).toBe(85);
    expect(metricValue(manual, 'drift.lost')).toBe(42);
    expect(metricValue(baseline, 'drift.consistencyPct')).toBe(100);
    const out = evaluateThresholds([t('drift.consistencyPct == 100')], all);
    expect(out.map((o) => [o.strategy, o.actual, o.passed])).toEqual([
      ['baseline', 100, true],
      ['trigger-upsert', 100, true],
      ['manual-update', 85, false],
    ]);
  });

  it('only the named strategies are judged', () => {
    const out = evaluateThresholds([t('drift.consistencyPct == 100', ['trigger-upsert'])], all);
    expect(out).toEqual([{ expression: 'drift.consistencyPct == 100', strategy: 'trigger-upsert', actual: 100, passed: true }]);
    expect(thresholdsFailed(out)).toBe(false);
  });

  it('a missing metric is skipped, unless the strategy was named', () => {
    const unnamed = evaluateThresholds([t('ops.read.latencyMs.p99 < 5')], all);
    expect(unnamed.map((o) => o.strategy)).toEqual(['trigger-upsert']);
    const named = evaluateThresholds([t('ops.read.latencyMs.p99 < 5', ['baseline', 'trigger-upsert'])], all);
    expect(named).toEqual([
      { expression: 'ops.read.latencyMs.p99 < 5', strategy: 'baseline', actual: null, passed: false },
      { expression: 'ops.read.latencyMs.p99 < 5', strategy: 'trigger-upsert', actual: 1, passed: true },
    ]);
  });

  it('a strategy that did not run is neither pass nor fail', () => {
    const out = evaluateThresholds([t('ops.write.count > 0', ['generated-column'])], all);
    expect(out).toEqual([]);
  });

  it('a metric present without a value fails (never converged)', () => {
    const out = evaluateThresholds([t('drift.convergeMs < 5000')], all);
    expect(out.map((o) => [o.strategy, o.actual, o.passed])).toEqual([
      ['trigger-upsert', 0, true],
      ['manual-update', null, false],
    ]);
  });

  it('every operator', () => {
    const r = [strategy('baseline', { ops: { write: op(10) } })];
    const judge = (e: string) => evaluateThresholds([t(e)], r)[0].passed;
    expect(judge('ops.write.latencyMs.p99 < 10')).toBe(false);
    expect(judge('ops.write.latencyMs.p99 <= 10')).toBe(true);
    expect(judge('ops.write.latencyMs.p99 > 9.5')).toBe(true);
    expect(judge('ops.write.latencyMs.p99 >= 10.5')).toBe(false);
    expect(judge('ops.write.latencyMs.p99 == 10')).toBe(true);
    expect(judge('ops.write.errors == 0')).toBe(true);
  });

  it('expressions are parsed and their metrics checked', () => {
    expect(t('ops.write.latencyMs.p99<50')).toEqual({ expression: 'ops.write.latencyMs.p99<50', metric: 'ops.write.latencyMs.p99', op: '<', value: 50 });
    expect(t('server.walBytesPerWrite <= 2e3').value).toBe(2000);
    expect(parseThresholdExpression('ops.write.p99 < 50')).toMatch(/unknown metric/);
    expect(parseThresholdExpression('ops.upsert.count > 1')).toMatch(/unknown metric/);
    expect(parseThresholdExpression('drift.consistency == 100')).toMatch(/unknown metric/);
    expect(parseThresholdExpression('ops.write.count = 1')).toMatch(/expected "<metric> <op> <number>"/);
  });
});

describe('thresholds and failed strategies', () => {
  it('a threshold naming a strategy that failed fails; an unnamed one skips it', () => {
    const broken = strategy('production-trigger', { status: 'failed', reason: 'load failed in round 1: boom' });
    const named = evaluateThresholds([t('drift.consistencyPct == 100', ['production-trigger'])], [baseline, broken]);
    expect(named).toEqual([{ expression: 'drift.consistencyPct == 100', strategy: 'production-trigger', actual: null, passed: false }]);
    expect(thresholdsFailed(named)).toBe(true);
    const unnamed = evaluateThresholds([t('ops.write.latencyMs.p99 < 50')], [baseline, broken]);
    expect(unnamed.map((x) => x.strategy)).toEqual(['baseline']);
  });
});
