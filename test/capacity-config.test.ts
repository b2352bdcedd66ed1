// The capacity scenario kind: the built-ins, defaults, flags, and every mistake named with the
// file, the field and what was expected.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  capacityScenarioFromObject,
  capacityStepLoad,
  CAPACITY_DEFAULTS,
  loadCapacityScenario,
  loadScenario,
  listScenarios,
} from '../harness/config/scenario.ts';
import { UsageError } from '../harness/errors.ts';

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-capacity-config-'));
function file(name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body);
  return p;
}

describe('built-in capacity scenarios', () => {
  it('are listed as capacity scenarios and load with the capacity loader only', () => {
    const caps = listScenarios().filter((s) => s.kind === 'capacity').map((s) => s.name);
    expect(caps).toEqual(expect.arrayContaining(['capacity', 'capacity-ci']));
    expect(usageError(() => loadScenario('capacity'))).toBe(
      'scenarios/capacity.yaml is a capacity scenario (kind: capacity): run it with "counterbench capacity --scenario capacity"',
    );
    expect(usageError(() => loadCapacityScenario('smoke'))).toMatch(/^scenarios\/smoke\.yaml is not a capacity scenario: expected kind: capacity/);
  });

  it('capacity searches 1K, 10K and 100K users against both zone lines, baseline added by the command', () => {
    const s = loadCapacityScenario(undefined);
    expect(s.name).toBe('capacity');
    expect(s.capacity).toMatchObject({ users: [1000, 10_000, 100_000], sloP99Ms: [50, 100], tolerance: 0.1, growth: 2 });
    expect(s.capacity!.profile).toEqual({ users: 1000, peakWritesPerUserPerSecond: 0.05 });
    expect(s.mix).toEqual({ write: 100, read: 0, delete: 0 });
    // load and phases describe the first step
    expect(s.load).toEqual(capacityStepLoad(s.capacity!, 50));
    expect(s.phases).toEqual({ warmupSeconds: 1, durationSeconds: 4, stages: [] });
  });

  it('the flags override users, lines and budget; "+" adds a line', () => {
    const s = loadCapacityScenario('capacity', { strategies: 'trigger-upsert,manual-update', users: '10000,1000', budget: '8m', sloP99: '+30' });
    expect(s.strategies).toEqual(['trigger-upsert', 'manual-update']);
    expect(s.capacity).toMatchObject({ users: [1000, 10_000], budgetMs: 480_000, sloP99Ms: [30, 50, 100] });
    expect(loadCapacityScenario('capacity', { sloP99: '75' }).capacity!.sloP99Ms).toEqual([75]);
  });
});

describe('bad input: one clear message', () => {
  it('an SLO that is not a positive number', () => {
    expect(usageError(() => loadCapacityScenario('capacity', { sloP99: '0' }))).toMatch(/^--slo-p99: expected a positive number of milliseconds.*got "0"$/);
    expect(usageError(() => loadCapacityScenario('capacity', { sloP99: 'fast' }))).toMatch(/got "fast"$/);
    const p = file('slo.yaml', 'kind: capacity\ncapacity: {sloP99: [50, -1]}\n');
    expect(usageError(() => loadCapacityScenario(p))).toBe(`${p}: capacity.sloP99[1]: expected a write p99 in ms > 0 (a number, or a string like "50ms"), got -1`);
  });

  it('a budget too small for even one step', () => {
    expect(usageError(() => loadCapacityScenario('capacity', { budget: '3s' }))).toBe('--budget: 3s is too small for even one step (warm-up 1s + window 4s)');
    const p = file('budget.yaml', 'kind: capacity\ncapacity: {budget: 2s, warmup: 1s, window: 2s}\n');
    expect(usageError(() => loadCapacityScenario(p))).toBe(`${p}: capacity.budget: 2s is too small for even one step (warm-up 1s + window 2s)`);
    expect(usageError(() => loadCapacityScenario('capacity', { budget: 'soon' }))).toMatch(/^--budget: expected a duration > 0/);
  });

  it('--users with a non-number', () => {
    expect(usageError(() => loadCapacityScenario('capacity', { users: '1000,ten' }))).toBe(
      '--users: expected a comma-separated list of whole numbers of users >= 1 (e.g. 1000,10000), got "ten"',
    );
    expect(usageError(() => loadCapacityScenario('capacity', { users: '1000,1000' }))).toBe('--users: 1000 is listed twice');
    const p = file('users.yaml', 'kind: capacity\ncapacity: {users: [100, 1.5]}\n');
    expect(usageError(() => loadCapacityScenario(p))).toBe(`${p}: capacity.users[1]: expected an integer >= 1 (users), got 1.5`);
  });

  it('a profile that contradicts the data size', () => {
    expect(usageError(() => loadCapacityScenario('capacity', { users: '500' }))).toBe(
      'scenarios/capacity.yaml: capacity.profile.users: 1000 users today is more than the largest data size searched (500, from --users): the profile contradicts the data sizes; search a size of at least 1000 users',
    );
    const both = file('both.yaml', 'kind: capacity\ncapacity: {users: [100], profile: {users: 50, writesPerUserPerDay: 10, peakWritesPerUserPerSecond: 1}}\n');
    expect(usageError(() => loadCapacityScenario(both))).toMatch(/capacity\.profile\.peakWritesPerUserPerSecond: expected exactly one of/);
    const factor = file('factor.yaml', 'kind: capacity\ncapacity: {users: [100], profile: {users: 50, peakWritesPerUserPerSecond: 1, peakToAverage: 3}}\n');
    expect(usageError(() => loadCapacityScenario(factor))).toMatch(/capacity\.profile\.peakToAverage: applies to writesPerUserPerDay only/);
    const low = file('low.yaml', 'kind: capacity\ncapacity: {users: [100], profile: {users: 50, writesPerUserPerDay: 10, peakToAverage: 0.5}}\n');
    expect(usageError(() => loadCapacityScenario(low))).toBe(`${low}: capacity.profile.peakToAverage: expected a number >= 1, got 0.5`);
  });

  it('what a capacity scenario does not use, and a capacity block without the kind', () => {
    const load = file('load.yaml', 'kind: capacity\nload: {model: open, rate: 5}\n');
    expect(usageError(() => loadCapacityScenario(load))).toMatch(new RegExp(`^${load.replace(/[.]/g, '\\.')}: load: not used in a capacity scenario`));
    const users = file('du.yaml', 'kind: capacity\ndata: {users: 10}\n');
    expect(usageError(() => loadCapacityScenario(users))).toMatch(/data\.users: not used in a capacity scenario: the data sizes are capacity\.users/);
    const block = file('block.yaml', 'capacity: {users: [10]}\n');
    expect(usageError(() => loadScenario(block))).toBe(`${block}: capacity: only in a capacity scenario: add kind: capacity`);
    const unknown = file('unk.yaml', 'kind: capacity\ncapacity: {budgett: 5m}\n');
    expect(usageError(() => loadCapacityScenario(unknown))).toMatch(/capacity\.budgett: unknown key \(expected one of: users, sloP99, budget,/);
    const kind = file('kind.yaml', 'kind: sweep\n');
    expect(usageError(() => loadScenario(kind))).toBe(`${kind}: kind: expected "run" or "capacity", got "sweep"`);
    const hot = file('hot.yaml', 'kind: capacity\nkeys: {distribution: hotset, hotUsers: 500, hotShare: 0.5}\ncapacity: {users: [100, 1000]}\n');
    expect(usageError(() => loadCapacityScenario(hot))).toBe(`${hot}: keys.hotUsers: expected at most the smallest data size (100), got 500`);
    const mix = file('mix.yaml', 'kind: capacity\nmix: {read: 1}\n');
    expect(usageError(() => loadCapacityScenario(mix))).toMatch(/mix\.write: expected a weight > 0: the search judges write latency/);
  });
});

describe('the load of a step', () => {
  it('grows connections with the rate up to the cap; one second of arrivals may wait', () => {
    const spec = { ...CAPACITY_DEFAULTS, sloP99Ms: [50, 100] };
    expect(capacityStepLoad(spec, 20)).toEqual({ kind: 'open', rate: 20, clients: 4, maxInFlight: 20 });
    expect(capacityStepLoad(spec, 200)).toEqual({ kind: 'open', rate: 200, clients: 20, maxInFlight: 200 });
    expect(capacityStepLoad(spec, 5000)).toEqual({ kind: 'open', rate: 5000, clients: 32, maxInFlight: 5000 });
  });

  it('a scenario written in a test gets the same defaults', () => {
    const s = capacityScenarioFromObject({ kind: 'capacity', capacity: { users: [10], budget: '1m' } });
    expect(s.capacity).toMatchObject({ ...CAPACITY_DEFAULTS, users: [10], budgetMs: 60_000 });
    expect(s.data.users).toBe(10);
  });
});
