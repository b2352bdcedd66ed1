// A rendering fixture of interleavings[], shaped as the runner writes them (the 007 race, a
// serialization failure with a wait, a stale read, a strategy with nothing failing); the report
// tests render it. The browser test renders a real run's instead.
import type { InterleavingPermutation, InterleavingResult, InterleavingStep } from '../../harness/results/types.ts';

const INSERT = 'INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ($1, $2, $3, $4) RETURNING id';
const COUNTERS = ['user_stats.total_answers_lifetime', 'onboarding_sessions.questions_answered'];

const drift = (v: number) => Object.fromEntries(COUNTERS.map((c) => [c, v]));

function step(session: string, name: string, sent: string[], d: number, more: Partial<InterleavingStep> = {}): InterleavingStep {
  return { session, step: name, sent, drift: drift(d), ...more };
}

function result(strategy: string, spec: string, title: string, more: Partial<InterleavingResult>): InterleavingResult {
  return {
    strategy,
    spec,
    title,
    about: `What ${spec} shows.`,
    status: 'ok',
    isolation: 'read committed',
    sessions: { s1: ['BEGIN', 'write', 'COMMIT'], s2: ['BEGIN', 'write', 'COMMIT'] },
    setup: [],
    permutations: { total: 20, run: 20, invalid: 0, failing: 0, readsOff: 0 },
    outcomes: { exact: 20 },
    failing: [],
    readsOff: [],
    durationMs: 500,
    ...more,
  };
}

export function lostIn007(): InterleavingPermutation {
  const steps = [
    step('s1', 'BEGIN', ['BEGIN'], 0),
    step('s1', 'write', [INSERT], 0, { ownDrift: drift(0) }),
    step('s2', 'BEGIN', ['BEGIN'], 0),
    step('s2', 'write', [INSERT], 0, { ownDrift: drift(-1), marks: 'lost' }),
    step('s1', 'COMMIT', ['COMMIT'], 0),
    step('s2', 'COMMIT', ['COMMIT'], -1),
  ];
  return {
    order: steps.map((s) => `${s.session}:${s.step}`),
    steps,
    outcome: { kind: 'lost', lost: 1, extra: 0, counters: COUNTERS.map((name) => ({ name, value: 1, truth: 2 })) },
  };
}

export function interleavingsFixture(): InterleavingResult[] {
  const rr: InterleavingPermutation = {
    order: [],
    steps: [
      step('s1', 'BEGIN', ['BEGIN ISOLATION LEVEL REPEATABLE READ'], 0),
      step('s1', 'write', [INSERT], 0),
      step('s2', 'BEGIN', ['BEGIN ISOLATION LEVEL REPEATABLE READ'], 0),
      step('s2', 'write', [INSERT], 0, { waitedOn: ['s1'], resumedAfter: 4, error: { sqlstate: '40001', message: 'could not serialize access due to concurrent update' } }),
      step('s1', 'COMMIT', ['COMMIT'], 0),
      step('s2', 'COMMIT', ['COMMIT'], 0),
    ],
    outcome: {
      kind: 'error',
      lost: 0,
      extra: 0,
      error: { sqlstate: '40001', message: 'could not serialize access due to concurrent update', session: 's2', step: 'write' },
      counters: COUNTERS.map((name) => ({ name, value: 1, truth: 1 })),
    },
  };
  rr.order = rr.steps.map((s) => `${s.session}:${s.step}`);
  const stale: InterleavingPermutation = {
    order: ['writer:BEGIN', 'writer:write', 'writer:COMMIT', 'reader:read'],
    steps: [
      step('writer', 'BEGIN', ['BEGIN'], 0),
      step('writer', 'write', [INSERT], 0),
      step('writer', 'COMMIT', ['COMMIT'], -1),
      step('reader', 'read', ['SELECT total_answers AS n FROM user_answer_stats WHERE user_id = $1'], -1, { read: { value: 0, truth: 1 } }),
    ],
    settledDrift: drift(0),
    outcome: { kind: 'exact', lost: 0, extra: 0, readOffBy: -1, counters: COUNTERS.map((name) => ({ name, value: 1, truth: 1 })) },
  };
  return [
    result('production-trigger', 'two-inserts', 'Two inserts for one user', {
      permutations: { total: 20, run: 20, invalid: 0, failing: 12, readsOff: 0 },
      outcomes: { exact: 8, 'lost 1': 12 },
      failing: [lostIn007()],
    }),
    result('trigger-upsert', 'two-inserts-rr', 'Two inserts, repeatable read', {
      isolation: 'repeatable read',
      permutations: { total: 20, run: 14, invalid: 6, failing: 6, readsOff: 0 },
      outcomes: { exact: 8, 'error 40001': 6 },
      failing: [rr],
    }),
    result('materialized-view', 'read-during-write', 'Read during a write', {
      sessions: { writer: ['BEGIN', 'write', 'COMMIT'], reader: ['read'] },
      permutations: { total: 4, run: 4, invalid: 0, failing: 0, readsOff: 1 },
      outcomes: { exact: 3, 'exact, a read 1 below': 1 },
      readsOff: [stale],
    }),
    result('count-star', 'two-inserts', 'Two inserts for one user', {}),
    {
      ...result('baseline', 'x', 'Baseline', {}),
      spec: null,
      status: 'skipped',
      reason: 'it keeps no counter: there is nothing an interleaving could lose',
      permutations: { total: 0, run: 0, invalid: 0, failing: 0, readsOff: 0 },
      outcomes: {},
    },
  ];
}
