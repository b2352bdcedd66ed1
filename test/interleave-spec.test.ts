// Interleaving specs as data: the built-in ones load and apply where they should, every mistake in
// a spec is one message naming the file, the field and what was expected; the orders enumerated
// are all those that keep each session's order; and a permutation's outcome and its loss marker
// are judged as the results document them.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSpecs, loadSpecFile, parseSpec, specApplies } from '../harness/interleave/spec.ts';
import { countInterleavings, interleavings } from '../harness/interleave/permutations.ts';
import { classify, markLoss, outcomeLabel } from '../harness/interleave/outcome.ts';
import { shortStatement } from '../harness/interleave/labels.ts';
import { STRATEGIES, strategyById } from '../harness/strategies/index.ts';
import { UsageError } from '../harness/errors.ts';
import type { InterleavingPermutation } from '../harness/results/types.ts';
import { laneSchema } from '../harness/interleave/interleave.ts';
import { namespaceOfSchema } from '../harness/db/schema-name.ts';
import { ALL_STRATEGY_IDS } from '../harness/config/strategy-ids.ts';

const base = { id: 'x', title: 'X', about: 'what it shows', appliesTo: 'all', sessions: { s1: ['BEGIN', 'write', 'COMMIT'], s2: ['read'] } };

function problem(data: unknown): string {
  try {
    parseSpec(data, 'my.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('the spec was accepted');
}

describe('built-in specs', () => {
  const specs = loadSpecs();
  const applying = (id: string) => STRATEGIES.filter((s) => specApplies(specs.find((x) => x.id === id)!, s)).map((s) => s.id);

  it('load in their files’ order, each with sessions of steps', () => {
    expect(specs.map((s) => s.id)).toEqual([
      'two-inserts',
      'two-inserts-statements',
      'insert-vs-delete',
      'read-during-write',
      'read-between-statements',
      'die-between-statements',
      'redis-rollback',
    ]);
    for (const s of specs) expect(s.isolation).toBe('read committed');
    expect(specs.find((s) => s.id === 'insert-vs-delete')!.setup).toEqual(['write']);
  });

  it('apply to every strategy with a counter, the multi-statement ones, and Redis where they say', () => {
    const withCounters = STRATEGIES.filter((x) => x.counters.length > 0).map((x) => x.id);
    expect(withCounters).not.toContain('baseline');
    expect(applying('two-inserts')).toEqual(withCounters);
    expect(applying('insert-vs-delete')).toEqual(withCounters);
    expect(applying('die-between-statements')).toEqual(['manual-update', 'redis-queue', 'redis-after-commit', 'app-read-modify-write']);
    expect(applying('redis-rollback')).toEqual(['redis-queue', 'redis-after-commit']);
  });

  it('apply to a strategy named by id once it exists, whatever its other properties', () => {
    const spec = specs.find((s) => s.id === 'two-inserts-statements')!;
    expect(specApplies(spec, { ...strategyById('app-read-modify-write')!, multiStatement: false })).toBe(true);
    expect(specApplies(spec, strategyById('count-star')!)).toBe(false);
    // nothing to lose, nothing to run
    expect(specApplies(specs[0], strategyById('baseline')!)).toBe(false);
  });
});

describe('a spec with a mistake', () => {
  it('is refused in one line naming the file, the field and what was expected', () => {
    expect(problem({ ...base, sesions: {} })).toBe('my.yaml: sesions: unknown key (expected one of: id, title, about, appliesTo, isolation, setup, sessions)');
    expect(problem({ ...base, sessions: { s1: ['BEGIN', 'wirte', 'COMMIT'] } })).toMatch(/^my\.yaml: sessions\.s1\[1\]: expected one of: BEGIN, COMMIT, ROLLBACK, write, delete, read, write\.N, .*; got "wirte"$/);
    expect(problem({ ...base, isolation: 'snapshot' })).toBe('my.yaml: isolation: expected one of: read committed, repeatable read, serializable; got "snapshot"');
    expect(problem({ ...base, appliesTo: { strategies: ['a'], lately: true } })).toBe('my.yaml: appliesTo.lately: unknown key (expected one of: strategies, multiStatement, needsRedis, except)');
    expect(problem({ ...base, appliesTo: [{ except: ['a'] }] })).toBe('my.yaml: appliesTo[0]: a selector needs strategies, multiStatement or needsRedis');
    expect(problem({ ...base, setup: ['write.1'] })).toBe('my.yaml: setup[0]: expected one of: write, delete; got "write.1"');
    expect(problem({ ...base, id: 'Two Inserts' })).toBe('my.yaml: id: expected an id of a-z, 0-9 and dashes, got "Two Inserts"');
    expect(problem(null)).toMatch(/^my\.yaml: expected a mapping with id, title, about, appliesTo and sessions/);
  });

  it('is refused when a session could not happen that way', () => {
    expect(problem({ ...base, sessions: { s1: ['BEGIN', 'BEGIN', 'COMMIT'] } })).toBe('my.yaml: sessions.s1[1]: BEGIN inside an open transaction');
    expect(problem({ ...base, sessions: { s1: ['write', 'COMMIT'] } })).toBe('my.yaml: sessions.s1[1]: COMMIT without a BEGIN before it');
    expect(problem({ ...base, sessions: { s1: ['BEGIN', 'write'] } })).toBe('my.yaml: sessions.s1[1]: the session ends inside its transaction: end it with COMMIT, ROLLBACK or die');
    expect(problem({ ...base, sessions: { s1: ['write.2'] } })).toBe("my.yaml: sessions.s1[0]: \"write.2\" must come right after write.1: an action's statements are taken in order, from 1");
    expect(problem({ ...base, sessions: { s1: ['write.1', 'die', 'read'] } })).toBe('my.yaml: sessions.s1[2]: "read" after die: the application is gone');
    expect(problem({ ...base, sessions: { a: ['read'], b: ['read'], c: ['read'], d: ['read'] } })).toBe('my.yaml: sessions: expected 1 to 3 sessions, got 4');
    expect(problem({ ...base, sessions: { s1: ['read', 'read', 'read', 'read', 'read', 'read', 'read', 'read'], s2: ['read', 'read', 'read', 'read', 'read', 'read', 'read', 'read'] } })).toBe(
      'my.yaml: sessions: 12870 permutations, more than 2000: split it into smaller specs',
    );
    // dying inside a transaction is how it may end; dying between statements too
    expect(parseSpec({ ...base, sessions: { s1: ['BEGIN', 'write.1', 'die'] } }, 'ok.yaml').sessions[0].steps).toHaveLength(3);
  });

  it('in a file: not found, not YAML, an id used twice', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-spec-'));
    expect(() => loadSpecFile(path.join(dir, 'none.yaml'), 'none.yaml')).toThrow('none.yaml: spec file not found');
    writeFileSync(path.join(dir, 'bad.yaml'), 'id: [unclosed');
    expect(() => loadSpecFile(path.join(dir, 'bad.yaml'), 'bad.yaml')).toThrow(/^bad\.yaml: not valid YAML/);
    writeFileSync(path.join(dir, 'a.yaml'), 'id: same\ntitle: A\nabout: a\nappliesTo: all\nsessions: { s1: [read] }\n');
    writeFileSync(path.join(dir, 'b.yaml'), 'id: same\ntitle: B\nabout: b\nappliesTo: all\nsessions: { s1: [read] }\n');
    expect(() => loadSpecs([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')])).toThrow(/b\.yaml: id: "same" is also the id of .*a\.yaml/);
  });
});

describe('the schemas of an interleave run', () => {
  it('cannot be taken for a run\'s strategy schemas, so `clean` keeps them while any run is live', () => {
    for (const id of ALL_STRATEGY_IDS) {
      const name = laneSchema(id, 'interleave', 2);
      expect(name).toBe(`counterbench_interleave_${id.replace(/-/g, '_')}_il2`);
      expect(namespaceOfSchema(name, ALL_STRATEGY_IDS)).toBeNull();
    }
  });
});

describe('permutations', () => {
  it('are every order that keeps each session’s own order, the first session first', () => {
    expect([...interleavings([2, 1])]).toEqual([
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const all = [...interleavings([3, 3])];
    expect(all).toHaveLength(20);
    expect(countInterleavings([3, 3])).toBe(20);
    expect(new Set(all.map((o) => o.join(''))).size).toBe(20);
    expect(countInterleavings([4, 4])).toBe(70);
    expect(countInterleavings([2, 2, 2])).toBe(90);
    expect([...interleavings([2, 2, 2])]).toHaveLength(90);
  });
});

describe('a permutation’s outcome', () => {
  const counters = (v: number, t: number) => [
    { name: 'user_stats.total_answers_lifetime', value: v, truth: t },
    { name: 'onboarding_sessions.questions_answered', value: v, truth: t },
  ];

  it('is lost, extra or an error before a read that was off, which alone leaves it exact', () => {
    expect(outcomeLabel(classify(counters(1, 2), undefined, []))).toBe('lost 1');
    expect(outcomeLabel(classify(counters(3, 2), undefined, []))).toBe('extra 1');
    expect(outcomeLabel(classify(counters(2, 2), { sqlstate: '40P01', message: 'deadlock detected', session: 's1', step: 'write.2' }, []))).toBe('error 40P01');
    const read = classify(counters(2, 2), undefined, [{ value: 1, truth: 2 }]);
    expect(read.kind).toBe('exact');
    expect(outcomeLabel(read)).toBe('exact, a read 1 below');
    expect(classify(counters(1, 2), undefined, [{ value: 1, truth: 2 }]).readOffBy).toBe(-1);
  });

  it('marks the step whose transaction first showed the loss in its own view, not the COMMIT that published it', () => {
    const step = (session: string, name: string, drift: number, own?: number) => ({
      session,
      step: name,
      sent: [name],
      drift: { 'user_stats.total_answers_lifetime': drift },
      ...(own === undefined ? {} : { ownDrift: { 'user_stats.total_answers_lifetime': own } }),
    });
    const p: InterleavingPermutation = {
      order: [],
      steps: [step('s1', 'BEGIN', 0), step('s1', 'write', 0, 0), step('s2', 'BEGIN', 0), step('s2', 'write', 0, -1), step('s1', 'COMMIT', 0), step('s2', 'COMMIT', -1)],
      outcome: classify([{ name: 'user_stats.total_answers_lifetime', value: 1, truth: 2 }], undefined, []),
    };
    const meta = p.steps.map((s) => ({ inTx: s.step !== 'BEGIN', action: s.step === 'write' }));
    markLoss(p, meta, false);
    expect(p.steps.map((s) => s.marks ?? '')).toEqual(['', '', '', 'lost', '', '']);
  });

  it('shortens statements to what they touch', () => {
    expect(shortStatement('UPDATE user_stats SET total_answers_lifetime = total_answers_lifetime + $2 WHERE user_id = $1')).toBe('UPDATE user_stats SET total_answers_lifetime …');
    expect(shortStatement('SELECT total_answers_lifetime AS n FROM user_stats WHERE user_id = $1')).toBe('SELECT … FROM user_stats');
    expect(shortStatement('RPUSH counterbench:interleave:redis-queue:answer_events {"user_id":1}')).toBe('RPUSH answer_events {"user_id":1}');
  });
});
