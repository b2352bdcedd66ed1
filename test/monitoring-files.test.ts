// monitoring/alerts.yml through promtool: the file loads (check rules), and each alert fires
// when its condition holds for its `for` window and not when it holds for less, or not at all
// (test rules, on series written out minute by minute). Expected annotations are the rule's own
// description with the summary's template expanded by hand, so a broken template fails here.
// monitoring/dashboard.json: valid JSON, and every panel's query parsed by promtool (each written
// as a recording rule, Grafana's variables replaced as Grafana would).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ALERTS_FILE, alertRules, dashboardPanels, dashboardQueries, promtool } from './support/prometheus-tools.ts';
import { ANALYSIS_METRICS } from '../harness/metrics/names.ts';

interface Expected {
  labels: Record<string, string>;
  summary: string;
}
interface Case {
  name: string;
  series: Record<string, string>;
  /** at this time (promtool duration), exactly these alerts of this name are firing */
  evals: Array<{ at: string; alert: string; firing: Expected[] }>;
}

const rules = new Map(alertRules().map((r) => [r.alert, r]));

const bucket = (strategy: string, le: string) => `answer_insert_duration_seconds_bucket{job="run", strategy="${strategy}", le="${le}"}`;

const CASES: Case[] = [
  {
    name: 'CounterInconsistency: 5 minutes of inconsistency fire, 3 minutes do not',
    series: {
      'inconsistent_counters_total{strategy="production-trigger", counter="user_stats.total_answers_lifetime"}': '0 3x20',
      'inconsistent_counters_total{strategy="redis-queue", counter="user_stats.total_answers_lifetime"}': '0 2 2 2 0x20',
      'inconsistent_counters_total{strategy="trigger-upsert", counter="user_stats.total_answers_lifetime"}': '0x20',
    },
    evals: [
      { at: '5m', alert: 'CounterInconsistency', firing: [] },
      {
        at: '7m',
        alert: 'CounterInconsistency',
        firing: [{ labels: { strategy: 'production-trigger', counter: 'user_stats.total_answers_lifetime' }, summary: 'user_stats.total_answers_lifetime: 3 counters do not match their answer rows' }],
      },
      { at: '15m', alert: 'CounterInconsistency', firing: [{ labels: { strategy: 'production-trigger', counter: 'user_stats.total_answers_lifetime' }, summary: 'user_stats.total_answers_lifetime: 3 counters do not match their answer rows' }] },
    ],
  },
  {
    name: 'SlowInserts: p99 over 50 ms for 10 minutes fires, fast inserts do not',
    series: {
      // every insert between 50 and 100 ms: p99 interpolates to 99.5 ms
      [bucket('slow', '0.01')]: '0x25',
      [bucket('slow', '0.05')]: '0x25',
      [bucket('slow', '0.1')]: '0+600x25',
      [bucket('slow', '+Inf')]: '0+600x25',
      // every insert under 10 ms
      [bucket('fast', '0.01')]: '0+600x25',
      [bucket('fast', '0.05')]: '0+600x25',
      [bucket('fast', '0.1')]: '0+600x25',
      [bucket('fast', '+Inf')]: '0+600x25',
    },
    evals: [
      { at: '9m', alert: 'SlowInserts', firing: [] },
      { at: '12m', alert: 'SlowInserts', firing: [{ labels: { job: 'run', strategy: 'slow' }, summary: 'answer inserts: p99 99.5ms over 50 ms for 10 minutes' }] },
    ],
  },
  {
    name: 'AdvisoryLockContention: 0.5 s/s of waiting fires after 5 minutes; 0.05 s/s and a try-lock that never waits do not',
    series: {
      'advisory_lock_wait_seconds_sum{strategy="blocking-lock"}': '0+30x20',
      'advisory_lock_wait_seconds_sum{strategy="light"}': '0+3x20',
      'advisory_lock_wait_seconds_sum{strategy="production-trigger"}': '0x20',
    },
    evals: [
      { at: '4m', alert: 'AdvisoryLockContention', firing: [] },
      { at: '8m', alert: 'AdvisoryLockContention', firing: [{ labels: { strategy: 'blocking-lock' }, summary: '500m s of advisory-lock waiting per second' }] },
    ],
  },
  {
    name: 'CounterDrift: lost increments that stay fire after 2 minutes; a lag caught up within a minute and an exact strategy do not',
    series: {
      'counterbench_counter_lost{strategy="production-trigger", counter="user_stats.total_answers_lifetime"}': '0 0 5+5x20',
      'counterbench_counter_extra{strategy="production-trigger", counter="user_stats.total_answers_lifetime"}': '0x22',
      'counterbench_counter_lost{strategy="redis-queue", counter="user_stats.total_answers_lifetime"}': '0 40 0x20',
      'counterbench_counter_extra{strategy="redis-queue", counter="user_stats.total_answers_lifetime"}': '0x22',
      'counterbench_counter_lost{strategy="trigger-upsert", counter="user_stats.total_answers_lifetime"}': '0x22',
      'counterbench_counter_extra{strategy="trigger-upsert", counter="user_stats.total_answers_lifetime"}': '0x22',
      // Problem 1: the manual UPDATE beside the trigger counts twice
      'counterbench_counter_lost{schema="public", counter="onboarding_sessions.questions_answered"}': '0x22',
      'counterbench_counter_extra{schema="public", counter="onboarding_sessions.questions_answered"}': '0 0 75x20',
    },
    evals: [
      { at: '3m', alert: 'CounterDrift', firing: [] },
      {
        at: '5m',
        alert: 'CounterDrift',
        firing: [
          { labels: { strategy: 'production-trigger', counter: 'user_stats.total_answers_lifetime' }, summary: 'user_stats.total_answers_lifetime is off its answer rows by 20 increments' },
          { labels: { schema: 'public', counter: 'onboarding_sessions.questions_answered' }, summary: 'onboarding_sessions.questions_answered is off its answer rows by 75 increments' },
        ],
      },
    ],
  },
  {
    name: 'CounterCheckDown: 5 minutes without a check fire, a flapping check does not',
    series: {
      'counterbench_check_up{schema="public"}': '1 1 0x10',
      'counterbench_check_up{schema="other"}': '1 0 1 0 1 0 1 0 1 0 1 0',
    },
    evals: [
      { at: '6m', alert: 'CounterCheckDown', firing: [] },
      { at: '8m', alert: 'CounterCheckDown', firing: [{ labels: { schema: 'public' }, summary: 'the counter check of public has failed for 5 minutes' }] },
    ],
  },
];

function promtoolTests(): unknown {
  return {
    rule_files: [ALERTS_FILE],
    evaluation_interval: '1m',
    tests: CASES.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: c.evals.map((e) => {
        const rule = rules.get(e.alert);
        if (!rule) throw new Error(`no rule ${e.alert} in ${ALERTS_FILE}`);
        return {
          eval_time: e.at,
          alertname: e.alert,
          exp_alerts: e.firing.map((f) => ({
            exp_labels: { ...f.labels, ...rule.labels },
            exp_annotations: { summary: f.summary, description: rule.annotations!.description },
          })),
        };
      }),
    })),
  };
}

describe('monitoring/alerts.yml', () => {
  it('holds the analysis three rules with their thresholds and for windows, and the drift rule explaining the try-lock', () => {
    const r = (n: string) => rules.get(n);
    expect(r('CounterInconsistency')).toMatchObject({ expr: 'inconsistent_counters_total > 0', for: '5m' });
    expect(r('SlowInserts')?.for).toBe('10m');
    expect(r('SlowInserts')?.expr).toMatch(/histogram_quantile\(0\.99,[\s\S]*answer_insert_duration_seconds_bucket[\s\S]*\)\s*> 0\.05$/);
    expect(r('AdvisoryLockContention')).toMatchObject({ expr: 'rate(advisory_lock_wait_seconds_sum[5m]) > 0.1', for: '5m' });
    expect(r('CounterDrift')?.annotations?.description).toMatch(/pg_try_advisory_xact_lock[\s\S]*Nothing ever waits on the lock[\s\S]*advisory_lock_wait_seconds stays at zero/);
  });

  it('passes promtool check rules', () => {
    const r = promtool(['check', 'rules', ALERTS_FILE]);
    expect(r.output).toContain(`SUCCESS: ${rules.size} rules found`);
    expect(r.code).toBe(0);
  });

  it('passes promtool test rules: every alert fires after its for window and not before, nor on the series it must ignore', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-promtool-'));
    const file = path.join(dir, 'alerts.test.yml');
    writeFileSync(file, YAML.stringify(promtoolTests()));
    // every rule has a case
    expect(new Set(CASES.flatMap((c) => c.evals.map((e) => e.alert)))).toEqual(new Set(rules.keys()));
    const r = promtool(['test', 'rules', file]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });
});

describe('monitoring/dashboard.json', () => {
  it('is a Grafana dashboard whose panels have queries, distinct ids and no overlap', () => {
    const panels = dashboardPanels();
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps another panel`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
    const all = dashboardQueries().map((q) => q.expr).join('\n');
    for (const name of Object.values(ANALYSIS_METRICS)) expect(all).toContain(name);
    // the firing-alerts panel names every alert of the rules file
    for (const alert of rules.keys()) expect(all).toContain(alert);
  });

  it('has every panel query parsed by promtool', () => {
    const queries = dashboardQueries();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-dashboard-'));
    const file = path.join(dir, 'dashboard-queries.yml');
    const records = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.promql }));
    writeFileSync(file, YAML.stringify({ groups: [{ name: 'dashboard', rules: records }] }));
    const r = promtool(['check', 'rules', file]);
    expect(r.output, r.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(r.code).toBe(0);
  });
});
