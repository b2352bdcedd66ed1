import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAnyScenario, loadScenario, listScenarios, scenarioFromObject } from '../harness/config/scenario.ts';
import { ALL_STRATEGY_IDS } from '../harness/config/strategy-ids.ts';
import { parseDurationMs } from '../harness/config/duration.ts';
import { UsageError } from '../harness/errors.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'counterbench-scenario-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** the UsageError message loading `p` throws */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('built-in scenarios', () => {
  it('all validate, and their names match their files', () => {
    const list = listScenarios();
    expect(list.map((s) => s.name)).toEqual(
      expect.arrayContaining(['smoke', 'default', 'yellow-zone', 'count-star-100k', 'open-smoke']),
    );
    for (const { name, description, kind } of list) {
      // a suite is a list of scenarios, validated by its own loader (test/suite-config.test.ts)
      if (kind === 'suite') continue;
      const s = loadAnyScenario(name);
      expect(s.name).toBe(name);
      expect(description.length).toBeGreaterThan(10);
    }
  });

  it('the default is default.yaml, as the brief describes it', () => {
    const s = loadScenario(undefined);
    expect(s.name).toBe('default');
    expect(s.data.users).toBe(10_000);
    expect(s.load).toEqual({ kind: 'closed', clients: 16, thinkTimeMs: 0 });
    expect(s.keys).toEqual({ kind: 'zipfian', exponent: 1.1 });
    expect(s.rounds).toBe(3);
    expect(s.strategies).toEqual([...ALL_STRATEGY_IDS]);
    expect(s.thresholds.map((t) => t.expression)).toEqual(['ops.write.latencyMs.p99 < 50', 'drift.consistencyPct == 100']);
  });

  it('smoke is CI-sized with a hot set', () => {
    const s = loadScenario('smoke');
    expect(s.data).toMatchObject({ users: 1000, sessionsPerUser: 1, answersPerUser: 20 });
    expect(s.phases).toEqual({ warmupSeconds: 1, durationSeconds: 3, stages: [] });
    expect(s.keys).toEqual({ kind: 'hotset', hotUsers: 20, hotShare: 0.5 });
    expect(s.options.mvRefreshIntervalMs).toBe(500);
    expect(s.options.redisSyncIntervalMs).toBe(500);
  });

  it('yellow-zone and open-smoke are open-model', () => {
    expect(loadScenario('yellow-zone').load).toEqual({ kind: 'open', rate: 500, clients: 16, maxInFlight: 1000 });
    expect(loadScenario('open-smoke').load.kind).toBe('open');
  });
});

describe('a scenario file', () => {
  it('fills defaults and converts durations', () => {
    const p = file(
      'mine.yaml',
      `load: {model: open, rate: 50}
phases: {warmup: 500ms, duration: 1m30s, stages: [{duration: 10s, target: 100}, {duration: "0.5m", target: 20}]}
strategies: [baseline, count-star]
options: {mvRefreshInterval: 2, driftSampleInterval: 0}
`,
    );
    const s = loadScenario(p);
    expect(s.name).toBe('mine');
    expect(s.strategies).toEqual(['baseline', 'count-star']);
    expect(s.load).toEqual({ kind: 'open', rate: 50, clients: 16, maxInFlight: 50 });
    expect(s.phases).toEqual({
      warmupSeconds: 0.5,
      durationSeconds: 90,
      stages: [
        { durationSeconds: 10, target: 100 },
        { durationSeconds: 30, target: 20 },
      ],
    });
    expect(s.options.mvRefreshIntervalMs).toBe(2000);
    expect(s.options.driftSampleIntervalMs).toBe(0);
    expect(s.mix).toEqual({ write: 70, read: 25, delete: 5 });
    expect(s.keys).toEqual({ kind: 'uniform' });
  });

  it('reads JSON, and a duration defaults to the stages when they are given', () => {
    const p = file('j.json', JSON.stringify({ phases: { stages: [{ duration: 5, target: 8 }] }, mix: { read: 1 } }));
    const s = loadScenario(p);
    expect(s.phases.durationSeconds).toBe(5);
    expect(s.mix).toEqual({ write: 0, read: 1, delete: 0 });
  });

  it('an unknown key names the file, the path and the keys expected', () => {
    const p = file('x.yaml', 'load: {model: open, ratee: 5}\n');
    expect(usageError(() => loadScenario(p))).toBe(`${p}: load.ratee: unknown key (expected one of: model, rate, clients, maxInFlight, workers, via, pool)`);
    const q = file('top.yaml', 'usres: 5\n');
    expect(usageError(() => loadScenario(q))).toMatch(/top\.yaml: usres: unknown key \(expected one of: name, description, strategies, data,/);
  });

  it('a bad value names what was expected and what it got', () => {
    const p = file('x.yaml', 'load: {model: open, rate: fast}\n');
    expect(usageError(() => loadScenario(p))).toBe(`${p}: load.rate: expected a number > 0, got "fast"`);
    const q = file('y.yaml', 'data: {users: 0}\n');
    expect(usageError(() => loadScenario(q))).toBe(`${q}: data.users: expected an integer >= 1, got 0`);
    const r = file('z.yaml', 'load: {model: sometimes}\n');
    expect(usageError(() => loadScenario(r))).toBe(`${r}: load.model: expected one of: closed, open, got "sometimes"`);
    const t = file('k.yaml', 'keys: {distribution: hotset, hotUsers: 10, hotShare: 1.5}\n');
    expect(usageError(() => loadScenario(t))).toBe(`${t}: keys.hotShare: expected a number from 0 to 1, got 1.5`);
  });

  it('a bad duration string', () => {
    const p = file('d.yaml', 'phases: {duration: 10 seconds}\n');
    expect(usageError(() => loadScenario(p))).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: phases\\.duration: expected a duration > 0 .*got "10 seconds"$`));
    const q = file('s.yaml', 'phases: {stages: [{duration: 5s, target: 1}, {duration: soon, target: 2}]}\n');
    expect(usageError(() => loadScenario(q))).toMatch(/s\.yaml: phases\.stages\[1\]\.duration: expected a duration > 0/);
  });

  it('an unknown strategy id, in the list or in a threshold', () => {
    const p = file('st.yaml', 'strategies: [baseline, trigger-upsrt]\n');
    expect(usageError(() => loadScenario(p))).toBe(
      `${p}: strategies[1]: unknown strategy "trigger-upsrt" (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`,
    );
    const q = file('th.yaml', 'thresholds: [{expression: "drift.consistencyPct == 100", strategies: [count-star, nope]}]\n');
    expect(usageError(() => loadScenario(q))).toMatch(/th\.yaml: thresholds\[0\]\.strategies\[1\]: unknown strategy "nope"/);
  });

  it('a threshold with a bad expression or an unknown metric', () => {
    const p = file('t1.yaml', 'thresholds: ["ops.write.latencyMs.p99 <<< 50"]\n');
    expect(usageError(() => loadScenario(p))).toMatch(/t1\.yaml: thresholds\[0\]: expected "<metric> <op> <number>"/);
    const q = file('t2.yaml', 'thresholds: ["ops.write.latncyMs.p99 < 50"]\n');
    expect(usageError(() => loadScenario(q))).toMatch(/t2\.yaml: thresholds\[0\]: unknown metric "ops\.write\.latncyMs\.p99"/);
  });

  it('an unknown built-in name lists the built-ins', () => {
    expect(usageError(() => loadScenario('smokey'))).toMatch(/unknown scenario "smokey" \(built-in scenarios: .*default.*smoke/);
  });

  it('a missing file, bad YAML, an empty file', () => {
    expect(usageError(() => loadScenario(path.join(dir, 'none.yaml')))).toMatch(/none\.yaml: scenario file not found/);
    const p = file('bad.yaml', 'load: {model: open\n');
    expect(usageError(() => loadScenario(p))).toMatch(/bad\.yaml: not valid YAML/);
    const q = file('empty.yaml', '');
    expect(usageError(() => loadScenario(q))).toMatch(/empty\.yaml: expected a mapping/);
  });

  it('checks across fields', () => {
    const p = file('h.yaml', 'data: {users: 10}\nkeys: {distribution: hotset, hotUsers: 20, hotShare: 0.5}\n');
    expect(usageError(() => loadScenario(p))).toBe(`${p}: keys.hotUsers: expected at most data.users (10), got 20`);
    const q = file('m.yaml', 'mix: {write: 0, read: 0}\n');
    expect(usageError(() => loadScenario(q))).toMatch(/m\.yaml: mix: expected weights .* sum > 0/);
    const r = file('mf.yaml', 'load: {model: open, rate: 10, clients: 8, maxInFlight: 4}\n');
    expect(usageError(() => loadScenario(r))).toMatch(/mf\.yaml: load\.maxInFlight: expected at least load\.clients \(8\), got 4/);
    const t = file('du.yaml', 'phases: {duration: 5, stages: [{duration: 10, target: 4}]}\n');
    expect(usageError(() => loadScenario(t))).toMatch(/du\.yaml: phases\.duration: expected at least the sum of phases\.stages/);
  });
});

describe('command-line overrides', () => {
  it('apply after the file', () => {
    const s = loadScenario('smoke', { clients: '8', duration: '10s', users: 5000, strategies: 'baseline, trigger-upsert' });
    expect(s.load).toEqual({ kind: 'closed', clients: 8, thinkTimeMs: 0 });
    expect(s.phases.durationSeconds).toBe(10);
    expect(s.data.users).toBe(5000);
    expect(s.strategies).toEqual(['baseline', 'trigger-upsert']);
    expect(loadScenario('count-star-100k', { strategies: 'all' }).strategies).toEqual([...ALL_STRATEGY_IDS]);
    expect(loadScenario('smoke', { duration: 7 }).phases.durationSeconds).toBe(7);
  });

  it('--rate switches a closed scenario to the open model', () => {
    const s = loadScenario('smoke', { rate: '300' });
    expect(s.load).toEqual({ kind: 'open', rate: 300, clients: 4, maxInFlight: 300 });
    const o = loadScenario('open-smoke', { rate: 50, clients: 500 });
    expect(o.load).toEqual({ kind: 'open', rate: 50, clients: 500, maxInFlight: 500 });
  });

  it('a bad flag value names the flag', () => {
    expect(usageError(() => loadScenario('smoke', { clients: 'many' }))).toBe('--clients: expected an integer >= 1, got "many"');
    expect(usageError(() => loadScenario('smoke', { clients: 2.5 }))).toBe('--clients: expected an integer >= 1, got 2.5');
    expect(usageError(() => loadScenario('smoke', { rate: '-1' }))).toMatch(/^--rate: expected a number of operations per second > 0/);
    expect(usageError(() => loadScenario('smoke', { duration: 'forever' }))).toMatch(/^--duration: expected a duration > 0/);
    expect(usageError(() => loadScenario('smoke', { users: '0' }))).toMatch(/^--users: expected an integer >= 1/);
    expect(usageError(() => loadScenario('smoke', { strategies: 'baseline,nope' }))).toMatch(/^--strategies: unknown strategy "nope"/);
    expect(usageError(() => loadScenario('smoke', { users: 10 }))).toMatch(/keys\.hotUsers: expected at most data\.users \(10, from --users\), got 20/);
  });

  it('--workers and load.workers: worker threads for the load, at most one per load connection', () => {
    expect(loadScenario('smoke').workers).toBe(1);
    expect(loadScenario('smoke', { workers: '2' }).workers).toBe(2);
    const p = file('w.yaml', 'load: {model: open, rate: 100, clients: 8, workers: 4}\n');
    expect(loadScenario(p).workers).toBe(4);
    // the flag wins over the file
    expect(loadScenario(p, { workers: 1 }).workers).toBe(1);
    // a ramp's clients count: 2 at the start, 6 at its end
    const r = file('wr.yaml', 'load: {model: closed, clients: 2, workers: 6}\nphases: {stages: [{duration: 2, target: 6}]}\n');
    expect(loadScenario(r).workers).toBe(6);
    expect(usageError(() => loadScenario('smoke', { workers: '0' }))).toBe('--workers: expected an integer >= 1 (worker threads for the load), got "0"');
    expect(usageError(() => loadScenario('smoke', { workers: 'two' }))).toMatch(/^--workers: expected an integer >= 1/);
    expect(usageError(() => loadScenario('smoke', { workers: 8 }))).toBe('--workers: expected at most the number of load connections (4, one per client), got 8');
    const q = file('wq.yaml', 'load: {model: closed, clients: 2, workers: 3}\n');
    expect(usageError(() => loadScenario(q))).toBe(`${q}: load.workers: expected at most the number of load connections (2, one per client), got 3`);
    const b = file('wb.yaml', 'load: {model: closed, workers: 1.5}\n');
    expect(usageError(() => loadScenario(b))).toBe(`${b}: load.workers: expected an integer >= 1, got 1.5`);
  });

  it('a scenario written as an object validates the same way', () => {
    const s = scenarioFromObject({ load: { model: 'closed', clients: 2 } }, { duration: 1 });
    expect(s.load).toEqual({ kind: 'closed', clients: 2, thinkTimeMs: 0 });
    expect(usageError(() => scenarioFromObject({ rounds: 0 }))).toBe('(scenario): rounds: expected an integer >= 1, got 0');
  });
});

describe('durations', () => {
  it('parse the usual forms', () => {
    expect(parseDurationMs(10, 's')).toBe(10_000);
    expect(parseDurationMs(10, 'ms')).toBe(10);
    expect(parseDurationMs('10s', 'ms')).toBe(10_000);
    expect(parseDurationMs('2m', 's')).toBe(120_000);
    expect(parseDurationMs('500ms', 's')).toBe(500);
    expect(parseDurationMs('1m30s', 's')).toBe(90_000);
    expect(parseDurationMs('1.5h', 's')).toBe(5_400_000);
    expect(parseDurationMs('12', 's')).toBe(12_000);
    expect(parseDurationMs('10 seconds', 's')).toBeUndefined();
    expect(parseDurationMs('', 's')).toBeUndefined();
    expect(parseDurationMs(-1, 's')).toBeUndefined();
    expect(parseDurationMs('s', 's')).toBeUndefined();
  });
});
