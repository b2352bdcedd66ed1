// The monitoring end to end: a real Prometheus on loopback, with monitoring/alerts.yml's rules
// (their `for` windows shortened to seconds), scrapes `counterbench run --metrics-port` while a
// short hot-user run of production-trigger (Migration 007) and trigger-upsert (exact) goes on.
// Through Prometheus's HTTP API: CounterDrift fired for 007 and not for the exact strategy, while
// advisory_lock_wait_seconds stayed at zero for 007 (the analysis's lock alert is blind to it);
// and Prometheus evaluates every dashboard query. The /metrics text itself carries the analysis's
// four metric names with their types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { main } from '../harness/cli/main.ts';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { runCommand } from '../harness/cli/run.ts';
import { freePort } from '../harness/provision/free-port.ts';
import { LatencyRecorder } from '../harness/measure/histogram.ts';
import { ANALYSIS_METRIC_TYPES, INSERT_BUCKETS } from '../harness/metrics/names.ts';
import type { Results } from '../harness/results/types.ts';
import { ALERTS_FILE, PROMETHEUS, dashboardQueries } from './support/prometheus-tools.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

describe('the insert histogram read from the load\'s HDR histogram', () => {
  it('counts each value under every bound at or above it, and sums them', () => {
    const h = new LatencyRecorder();
    const us = [400, 1000, 4_000, 9_000, 20_000, 70_000, 300_000, 2_000_000];
    for (const v of us) h.record(v);
    const r = h.cumulative(INSERT_BUCKETS.map((s) => s * 1e6));
    // 1, 5, 10, 50, 100, 500 ms
    expect(r.counts).toEqual([2, 3, 4, 5, 6, 7]);
    expect(r.count).toBe(8);
    expect(r.sumUs / us.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  });
});

const tag = uniqueTag();
let dir: string;
let prom: ChildProcess | undefined;
let promUrl: string;
let metricsPort: number;

async function api<T>(p: string): Promise<T> {
  const r = await fetch(`${promUrl}${p}`);
  const body = (await r.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${p}: ${body.error}`);
  return body.data;
}
type Vector = { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
const query = (q: string) => api<Vector>(`/api/v1/query?query=${encodeURIComponent(q)}`);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cb-prometheus-'));
  metricsPort = await freePort();
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  // the shipped rules, with `for` windows of seconds so that a run of seconds can fire them
  const rules = YAML.parse((await import('node:fs')).readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ for?: string }> }> };
  for (const g of rules.groups) for (const r of g.rules) r.for = '2s';
  writeFileSync(path.join(dir, 'alerts.yml'), YAML.stringify(rules));
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    YAML.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'alerts.yml')],
      scrape_configs: [{ job_name: 'counterbench-run', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] }],
    }),
  );
  prom = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  prom.stderr!.on('data', (b) => (stderr += b));
  const exited = new Promise<never>((_, reject) => prom!.once('error', reject).once('exit', (c) => reject(new Error(`prometheus exited (${c}): ${stderr}`))));
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await Promise.race([ready, exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`prometheus not ready after 30 s: ${stderr}`)), 30_000))]);
});

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    const gone = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('run --metrics-port, bad input', () => {
  it('a taken port, or --metrics-host alone, is one line and exit 2 before anything is deployed', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    const outDir = path.join(dir, 'never');
    try {
      for (const [args, msg] of [
        [['--metrics-port', String(port)], `counterbench run: --metrics-port: cannot listen on 127.0.0.1:${port}: already in use`],
        [['--metrics-host', '127.0.0.1'], 'counterbench run: --metrics-host: only taken with --metrics-port'],
        [['--metrics-port', '70000'], 'counterbench run: --metrics-port: expected a port from 1 to 65535, got "70000"'],
      ] as const) {
        const err: string[] = [];
        const code = await main(['run', '--scenario', 'smoke', '--namespace', tag, '--out', outDir, ...args], { out: () => {}, err: (t) => err.push(t), tty: false });
        expect(err).toEqual([msg]);
        expect(code).toBe(2);
        expect(existsSync(outDir)).toBe(false);
      }
    } finally {
      taken.close();
    }
  });
});

describe('a run scraped by a real Prometheus', () => {
  it('fires CounterDrift for Migration 007 and not for trigger-upsert, with no advisory lock wait to see', async () => {
    const scenario = path.join(dir, 'hot-users.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'monitoring-hot-users',
        description: 'two hot users: 007 skips increments on its try-lock',
        strategies: ['production-trigger', 'trigger-upsert'],
        data: { users: 50, sessionsPerUser: 1, answersPerUser: 5 },
        load: { model: 'closed', clients: 8 },
        phases: { warmup: '1s', duration: '5s' },
        mix: { write: 100, read: 0, delete: 0 },
        keys: { distribution: 'hotset', hotUsers: 2, hotShare: 0.9 },
        rounds: 1,
        seed: 1,
        options: { driftSampleInterval: '200ms', drainTimeout: '5s' },
      }),
    );
    const env = { ...process.env };
    process.env.DATABASE_URL = testDatabaseUrl();
    process.env.REDIS_URL = testRedisUrl();
    const out: string[] = [];
    const err: string[] = [];
    const scrapes: string[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        const t = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => null);
        if (t) scrapes.push(t);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    let code: number;
    try {
      code = await runCommand(
        ['--scenario', scenario, '--metrics-port', String(metricsPort), '--namespace', tag, '--out', path.join(dir, 'out'), '--json'],
        { out: (t) => out.push(t), err: (t) => err.push(t), tty: false },
      );
    } finally {
      running = false;
      await poll;
      for (const k of ['DATABASE_URL', 'REDIS_URL'] as const) {
        if (env[k] === undefined) delete process.env[k];
        else process.env[k] = env[k];
      }
    }
    expect(code, err.join('\n')).toBe(0);
    expect(err[0]).toBe(`counterbench run: metrics on http://127.0.0.1:${metricsPort}/metrics`);
    const results = JSON.parse(out.join('\n')) as Results;
    const lost = results.strategies.find((s) => s.id === 'production-trigger')!.drift!.counters.find((c) => c.name === 'user_stats.total_answers_lifetime')!.lost;
    // the run itself found 007's skipped increments (two hot users, eight clients)
    expect(lost).toBeGreaterThan(0);
    expect(results.strategies.find((s) => s.id === 'trigger-upsert')!.drift!.consistent).toBe(true);

    // /metrics during the run: the analysis's four names with their types, each with a sample of
    // 007's; the last scrape (after 007's exact check) says what the check found
    const last = scrapes[scrapes.length - 1];
    for (const [name, type] of Object.entries(ANALYSIS_METRIC_TYPES)) {
      expect(last).toContain(`# TYPE ${name} ${type}`);
      expect(last).toMatch(new RegExp(`^${name}(_bucket|_sum|_count)?\\{[^}]*strategy="production-trigger"`, 'm'));
    }
    expect(last).toContain(`counterbench_counter_lost{strategy="production-trigger",counter="user_stats.total_answers_lifetime"} ${lost}\n`);
    expect(last).toContain('advisory_lock_wait_seconds_sum{strategy="production-trigger"} 0\n');

    // Prometheus saw the alert fire for 007 only
    const fired = await query('max by (strategy) (max_over_time(ALERTS{alertname="CounterDrift", alertstate="firing"}[10m]))');
    expect(fired.result.map((r) => r.metric.strategy)).toEqual(['production-trigger']);
    // while the analysis's lock-contention alert had nothing to see: 007 never waited
    const waited = await query('max_over_time(advisory_lock_wait_seconds_sum{strategy="production-trigger"}[10m])');
    expect(waited.result.map((r) => r.value[1])).toEqual(['0']);
    const lockAlert = await query('max_over_time(ALERTS{alertname="AdvisoryLockContention", strategy="production-trigger"}[10m])');
    expect(lockAlert.result).toEqual([]);
  });

  it('evaluates every dashboard query', async () => {
    for (const q of dashboardQueries()) {
      await expect(query(q.promql).then(() => 'ok'), `${q.panel} ${q.refId}: ${q.promql}`).resolves.toBe('ok');
    }
  });
});
