// A run's /metrics from what a turn hands over (harness/metrics/run-metrics.ts), on real figures
// of the kinds the run produces: histograms that add up over rounds, drift from samples then from
// the exact check, job lag while the turn runs, counters that never go back.
import { describe, expect, it } from 'vitest';
import { RunMetrics } from '../harness/metrics/run-metrics.ts';
import { LatencyRecorder } from '../harness/measure/histogram.ts';
import { emptyLiveOps } from '../harness/load/phase-result.ts';
import type { CounterDrift } from '../harness/results/types.ts';
import { RUN_USAGE } from '../harness/cli/run.ts';

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

function stats(writesUs: number[], errors: Record<string, number> = {}) {
  const latency = new LatencyRecorder();
  for (const v of writesUs) latency.record(v);
  const none = () => ({ count: 0, errorsByKind: {}, latency: new LatencyRecorder() });
  return { write: { count: writesUs.length, errorsByKind: errors, latency }, read: none(), delete: none() };
}

describe('RunMetrics', () => {
  it('adds each round to the insert histogram and the operation counts, the live turn included', async () => {
    const m = new RunMetrics();
    const r1 = m.phase('trigger-upsert');
    r1.loadEnded(stats([500, 2_000, 60_000], { deadlock: 2 }));
    r1.ended();
    const r2 = m.phase('trigger-upsert');
    // the second round is in progress: its figures so far
    const live = stats([700, 700]);
    const ops = emptyLiveOps();
    ops.write = { count: 2, errorsByKind: { deadlock: 1 } };
    r2.progress({ write: live.write.latency, ops });
    let t = await m.registry.metrics();
    const l = '{strategy="trigger-upsert"';
    expect(value(t, `answer_insert_duration_seconds_bucket${l},le="0.001"}`)).toBe(3);
    expect(value(t, `answer_insert_duration_seconds_bucket${l},le="0.05"}`)).toBe(4);
    expect(value(t, `answer_insert_duration_seconds_bucket${l},le="+Inf"}`)).toBe(5);
    expect(value(t, `answer_insert_duration_seconds_count${l}}`)).toBe(5);
    expect(value(t, `answer_insert_duration_seconds_sum${l}}`)).toBeCloseTo(0.0639, 3);
    expect(value(t, `counterbench_operations_total${l},op="write"}`)).toBe(5);
    expect(value(t, `counterbench_operation_errors_total${l},op="write",kind="deadlock"}`)).toBe(3);
    expect(value(t, `counterbench_strategy_active${l}}`)).toBe(1);
    // a load that breaks before loadEnded keeps what it handed over
    r2.ended();
    t = await m.registry.metrics();
    expect(value(t, `answer_insert_duration_seconds_count${l}}`)).toBe(5);
    expect(value(t, `counterbench_strategy_active${l}}`)).toBe(0);
  });

  it('takes drift from the samples during the load, then from the exact check', async () => {
    const m = new RunMetrics();
    const p = m.phase('production-trigger');
    const c = 'user_stats.total_answers_lifetime';
    p.driftSample({ tMs: 200, phase: 'load', drift: { [c]: -40 } });
    let t = await m.registry.metrics();
    const l = `{strategy="production-trigger",counter="${c}"}`;
    expect(value(t, `inconsistent_counters_total${l}`)).toBe(1);
    expect(value(t, `counterbench_counter_lost${l}`)).toBe(40);
    expect(value(t, `counterbench_counter_drift${l}`)).toBe(-40);
    expect(value(t, `counter_consistency_rate${l}`)).toBeUndefined();
    const exact: CounterDrift = { name: c, scope: 'user', usersChecked: 50, usersInconsistent: 21, consistencyPct: 58, lost: 57, extra: 0, maxAbsDrift: 9, examples: [] };
    p.ended();
    p.checked([exact]);
    t = await m.registry.metrics();
    expect(value(t, `inconsistent_counters_total${l}`)).toBe(21);
    expect(value(t, `counterbench_counter_lost${l}`)).toBe(57);
    expect(value(t, `counter_consistency_rate${l}`)).toBe(0.58);
  });

  it('shows job lag while the turn runs, the last step and failed steps', async () => {
    const m = new RunMetrics();
    const p = m.phase('materialized-view');
    const now = Date.now();
    p.jobEvent({ kind: 'refresh', at: now - 3_000, durationMs: 1_000 });
    p.jobEvent({ kind: 'refresh', at: now - 500, durationMs: 400, error: 'canceling statement due to lock timeout' });
    let t = await m.registry.metrics();
    const l = '{strategy="materialized-view",job="refresh"}';
    // since the last step that succeeded ended
    expect(value(t, `counterbench_job_lag_seconds${l}`)).toBeGreaterThanOrEqual(2);
    expect(value(t, `counterbench_job_lag_seconds${l}`)).toBeLessThan(3);
    expect(value(t, `counterbench_job_step_duration_seconds${l}`)).toBe(0.4);
    expect(value(t, `counterbench_job_errors_total${l}`)).toBe(1);
    p.ended();
    t = await m.registry.metrics();
    expect(value(t, `counterbench_job_lag_seconds${l}`)).toBeUndefined();
  });

  it('says which figures a load.via http turn does not feed (its load reports at its end, as service time)', async () => {
    const t = await new RunMetrics().registry.metrics();
    for (const name of ['answer_insert_duration_seconds', 'counterbench_operations_total', 'counterbench_operation_errors_total']) {
      expect(t.split('\n').find((l) => l.startsWith(`# HELP ${name} `)), name).toMatch(/a load\.via http turn does not feed it\)$/);
    }
    expect(RUN_USAGE).toMatch(/--metrics-port[^]*load\.via http turn feeds drift, lock waits and jobs, not the insert latency\s+histogram or the operation counts/);
  });
});
