// The permutation runner: one spec on one strategy, every order of its sessions' steps, each on
// fresh data, each step sent on the session's own connection and judged finished or waiting by
// the lock manager before the next one is sent. After the last step the strategy's jobs drain and
// every counter is compared with COUNT(*).
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Answer, Strategy, StrategyContext } from '../strategies/types.ts';
import type { InterleavingOutcome, InterleavingPermutation, InterleavingResult, InterleavingStep } from '../results/types.ts';
import { type ActionName, type InterleaveSpec, MAX_PERMUTATIONS, type Step, stepText } from './spec.ts';
import { countInterleavings, interleavings } from './permutations.ts';
import { Session } from './session.ts';
import { doneOrWaiting, StepTimeout, track, type InFlight } from './blocking.ts';
import { countAnswers, driftOf, readCounters } from './observe.ts';
import { drainJobs, resetData } from './fixture.ts';
import { classify, errorOf, markLoss, outcomeLabel, type StepMeta } from './outcome.ts';

/** Everything one strategy's permutations run on: its schema, its one user, its connections. */
export interface Lane {
  strategy: Strategy;
  ctx: StrategyContext;
  /** the one user every permutation of this lane seeds and writes */
  userId: number;
  pgUrl: string;
  redisUrl?: string;
  /** in the strategy's schema: reads the committed state, asks pg_blocking_pids, terminates */
  observer: pg.Client;
  /** the harness's own Redis connection (resets, Redis-held counters) */
  redis?: Redis;
  sessions: Session[];
  stepTimeoutMs: number;
}

const NOT_COUNTED = new Set(['57P01', '25P02']); // terminated by the harness; after an earlier error

async function sessionsFor(lane: Lane, names: string[]): Promise<Session[]> {
  for (let i = lane.sessions.length; i < names.length; i++) {
    lane.sessions.push(
      await Session.open(`s${i + 1}`, { pgUrl: lane.pgUrl, redisUrl: lane.redisUrl, applicationName: `counterbench:interleave:${lane.strategy.id}:s${i + 1}` }, lane.ctx, !!lane.strategy.needsRedis),
    );
  }
  return lane.sessions.slice(0, names.length);
}

let answerNo = 0;
function answerFor(lane: Lane, session: string): Answer {
  answerNo++;
  return { userId: lane.userId, sessionId: lane.userId, questionJsonId: `q-${session}-${answerNo}`, rawAnswer: `answer ${answerNo} of ${session}` };
}

function act(lane: Lane, s: Session, action: ActionName, name: string): Promise<unknown> {
  return action === 'write' ? lane.strategy.write(s.conn, answerFor(lane, name)) : lane.strategy.remove(s.conn, { userId: lane.userId, sessionId: lane.userId });
}

/** Fresh data, then the spec's setup through the strategy itself, its jobs drained. */
async function prepare(lane: Lane, spec: InterleaveSpec, sessions: Session[]): Promise<void> {
  // every session of the lane, used by this spec or not: one left waiting by an impossible order
  // would hold its locks against the TRUNCATE
  for (const s of lane.sessions) await s.fresh(lane.observer);
  await resetData(lane.observer, lane.strategy, lane.ctx, lane.redis, lane.userId);
  if (!spec.setup.length) return;
  for (const a of spec.setup) await act(lane, sessions[0], a, 'setup');
  sessions[0].gate.take();
  await drainJobs(lane.strategy, lane.ctx, lane);
}

/** How many statements each action sends from the spec's starting state, for write.*. */
async function statementCounts(lane: Lane, spec: InterleaveSpec): Promise<Map<ActionName, number>> {
  const out = new Map<ActionName, number>();
  const wanted = new Set(spec.sessions.flatMap((s) => s.steps.flatMap((x) => (x.kind === 'action' && x.part === 'each' ? [x.action] : []))));
  for (const action of wanted) {
    const [s] = await sessionsFor(lane, ['probe']);
    await prepare(lane, spec, [s]);
    await act(lane, s, action, 'probe');
    out.set(action, Math.max(1, s.gate.take().length));
  }
  return out;
}

function expand(steps: Step[], counts: Map<ActionName, number>): Step[] {
  return steps.flatMap((x): Step[] =>
    x.kind === 'action' && x.part === 'each' ? Array.from({ length: counts.get(x.action)! }, (_, i) => ({ kind: 'action', action: x.action, part: i + 1 })) : [x],
  );
}

class Invalid extends Error {}

interface Running {
  lane: Lane;
  spec: InterleaveSpec;
  sessions: Session[];
  steps: Step[][];
  /** pids of the permutation's sessions: only their locks count as waiting */
  pids: Set<number>;
  recs: InterleavingStep[];
  meta: StepMeta[];
  reads: Array<{ value: number; truth: number }>;
  firstError?: InterleavingOutcome['error'];
  hasJobsStep: boolean;
}

/** The spec's name of the session with this backend. */
function nameOfPid(r: Running, pid: number): string {
  const i = r.sessions.findIndex((s) => s.pid === pid);
  return i < 0 ? String(pid) : r.spec.sessions[i].name;
}

function noteError(r: Running, s: Session, rec: InterleavingStep, e: unknown): void {
  const err = errorOf(e);
  rec.error = err;
  if (s.dead || (err.sqlstate && NOT_COUNTED.has(err.sqlstate))) return;
  r.firstError ??= { ...err, session: rec.session, step: rec.step };
}

/** Sends a step and waits until it finished or waits on another session's lock. */
async function sendStep(r: Running, s: Session, f: InFlight, rec: InterleavingStep, index: number, onDone: () => void): Promise<void> {
  const got = await doneOrWaiting(r.lane.observer, f, s.dead ? undefined : s.pid, r.pids, r.lane.stepTimeoutMs);
  const finish = () => {
    onDone();
    if (f.failed) noteError(r, s, rec, f.failed.error);
  };
  if (got === 'done') {
    finish();
    return;
  }
  rec.waitedOn = [...new Set(got.map((p) => nameOfPid(r, p)))];
  s.pending = {
    index,
    f,
    finish: (after) => {
      s.pending = undefined;
      if (after !== undefined) rec.resumedAfter = after;
      finish();
    },
  };
}

/** Until no sent step is still running: each has finished or waits on a lock. */
async function settle(r: Running, after: number | undefined): Promise<void> {
  for (;;) {
    let changed = false;
    for (const s of r.sessions) {
      const p = s.pending;
      if (!p) continue;
      const got = await doneOrWaiting(r.lane.observer, p.f, s.dead ? undefined : s.pid, r.pids, r.lane.stepTimeoutMs);
      if (got === 'done') {
        p.finish(after);
        changed = true;
      }
    }
    if (!changed) return;
  }
}

/** Whether the session's waiting step is on a cycle of waits among the permutation's sessions:
 *  the server's deadlock detector will end one of them. */
async function inDeadlock(r: Running, start: Session): Promise<boolean> {
  const seen = new Set<Session>();
  const waitsOn = async (s: Session): Promise<Session[]> => {
    if (!s.pending || s.dead) return [];
    const q = await r.lane.observer.query<{ b: number[] }>('SELECT pg_blocking_pids($1) AS b', [s.pid]);
    return r.sessions.filter((x) => q.rows[0].b.includes(x.pid));
  };
  const walk = async (s: Session): Promise<boolean> => {
    for (const next of await waitsOn(s)) {
      if (next === start) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      if (await walk(next)) return true;
    }
    return false;
  };
  return walk(start);
}

async function awaitPending(r: Running, s: Session, after: number): Promise<void> {
  const deadline = Date.now() + r.lane.stepTimeoutMs;
  while (s.pending) {
    await settle(r, after);
    if (!s.pending) return;
    if (Date.now() > deadline) throw new StepTimeout(`${nameOfPid(r, s.pid)} still waited ${r.lane.stepTimeoutMs} ms into a deadlock`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

async function runStep(r: Running, si: number, pos: number, index: number, rec: InterleavingStep): Promise<void> {
  const { lane } = r;
  const s = r.sessions[si];
  const step = r.steps[si][pos];
  switch (step.kind) {
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK': {
      const text = step.kind === 'BEGIN' && r.spec.isolation !== 'read committed' ? `BEGIN ISOLATION LEVEL ${r.spec.isolation.toUpperCase()}` : step.kind;
      rec.sent.push(text);
      s.inTx = step.kind === 'BEGIN';
      return sendStep(r, s, track(s.client.query(text)), rec, index, () => {});
    }
    case 'read': {
      const f = track(
        (async () => {
          const value = Number(await lane.strategy.read(s.conn, lane.userId));
          // what the reader's own snapshot counts, asked right after on the same connection
          rec.read = { value, truth: await countAnswers(s.client) };
          r.reads.push(rec.read);
        })(),
      );
      return sendStep(r, s, f, rec, index, () => rec.sent.push(...s.gate.take()));
    }
    case 'jobs': {
      rec.sent.push(...(lane.strategy.jobs ? ['(the background jobs drain)'] : ['(no background job)']));
      const f = track(drainJobs(lane.strategy, lane.ctx, lane));
      return sendStep(r, s, f, rec, index, () => {});
    }
    case 'die': {
      rec.sent.push('(the application dies: its connection is terminated)');
      await s.die(lane.observer);
      s.inTx = false;
      return;
    }
    case 'action': {
      if (step.part === 'all') {
        const f = track(act(lane, s, step.action, s.name));
        return sendStep(r, s, f, rec, index, () => rec.sent.push(...s.gate.take()));
      }
      const n = step.part as number;
      if (n === 1) {
        s.gate.step();
        s.action = track(act(lane, s, step.action, s.name));
        s.action.promise.catch(() => {});
      }
      const arrival = s.action ? await s.gate.next(s.action.promise) : undefined;
      if (!arrival) {
        rec.skipped = `the ${step.action} had already finished after ${n - 1} statement${n === 2 ? '' : 's'}`;
        if (s.action?.failed) noteError(r, s, rec, s.action.failed.error);
        return;
      }
      rec.sent.push(arrival.text);
      const next = r.steps[si][pos + 1];
      const continues = next && (next.kind === 'die' || (next.kind === 'action' && next.action === step.action && next.part === n + 1));
      const statement = arrival.send();
      const action = s.action!;
      // the session goes on with something else: the rest of the action is part of this step
      const f = track(
        continues
          ? statement
          : statement.then(() => {
              s.gate.open();
              return action.promise;
            }),
      );
      return sendStep(r, s, f, rec, index, () => {
        rec.sent.push(...s.gate.take());
        if (!continues) s.action = undefined;
      });
    }
  }
}

/** Runs one order; throws Invalid when it is not possible (a session would act while it waits). */
async function runPermutation(lane: Lane, spec: InterleaveSpec, steps: Step[][], sessions: Session[], order: number[]): Promise<InterleavingPermutation> {
  await prepare(lane, spec, sessions);
  const r: Running = {
    lane,
    spec,
    sessions,
    steps,
    pids: new Set(sessions.map((s) => s.pid)),
    recs: [],
    meta: [],
    reads: [],
    hasJobsStep: steps.some((l) => l.some((x) => x.kind === 'jobs')),
  };
  const pos = sessions.map(() => 0);
  const names = spec.sessions.map((x) => x.name);
  for (const [index, si] of order.entries()) {
    const s = sessions[si];
    const step = steps[si][pos[si]];
    if (s.pending && step.kind !== 'die') {
      // It cannot act while it waits. Only a deadlock's victim can free it without another
      // step: then wait for the detector, as the isolation tester waits; else no such order.
      if (!(await inDeadlock(r, s))) throw new Invalid();
      await awaitPending(r, s, index - 1);
    }
    const rec: InterleavingStep = { session: names[si], step: stepText(step), sent: [] };
    r.recs.push(rec);
    r.meta.push({ inTx: s.inTx && step.kind !== 'BEGIN', action: step.kind === 'action' });
    await runStep(r, si, pos[si], index, rec);
    pos[si]++;
    await settle(r, index);
    rec.drift = driftOf(await readCounters(lane.observer, lane.redis, lane.strategy, lane.ctx));
    // A session's own view, read inside its open transaction: its SELECT holds ACCESS SHARE
    // locks to the end of it, which would make a REFRESH of a `jobs` step wait, so not then.
    if (step.kind === 'action' && s.inTx && !s.pending && !s.dead && !r.hasJobsStep && !rec.error) {
      rec.ownDrift = driftOf(await readCounters(s.client, lane.redis, lane.strategy, lane.ctx));
    }
  }
  // what still waits can only be freed by the deadlock detector or a transaction that ended
  const deadline = Date.now() + lane.stepTimeoutMs;
  while (sessions.some((s) => s.pending)) {
    await settle(r, undefined);
    if (!sessions.some((s) => s.pending)) break;
    if (Date.now() > deadline) throw new StepTimeout(`a step still waited ${lane.stepTimeoutMs} ms after the last one`);
    await new Promise((res) => setTimeout(res, 5));
  }
  await drainJobs(lane.strategy, lane.ctx, lane);
  const end = await readCounters(lane.observer, lane.redis, lane.strategy, lane.ctx);
  const p: InterleavingPermutation = {
    order: r.recs.map((x) => `${x.session}:${x.step}`),
    steps: r.recs,
    outcome: classify(end, r.firstError, r.reads),
  };
  if (lane.strategy.jobs) p.settledDrift = driftOf(end);
  markLoss(p, r.meta, !!lane.strategy.jobs);
  return p;
}

/** Every permutation of one spec on one strategy, spread over its lanes (copies of its schema,
 *  each with a user of its own), in the order they are enumerated. */
export async function runSpec(lanes: readonly Lane[], spec: InterleaveSpec, signal?: AbortSignal): Promise<InterleavingResult> {
  const started = Date.now();
  const result: InterleavingResult = {
    strategy: lanes[0].strategy.id,
    spec: spec.id,
    title: spec.title,
    about: spec.about,
    status: 'ok',
    isolation: spec.isolation,
    sessions: {},
    setup: [...spec.setup],
    permutations: { total: 0, run: 0, invalid: 0, failing: 0, readsOff: 0 },
    outcomes: {},
    failing: [],
    readsOff: [],
    durationMs: 0,
  };
  try {
    const counts = await statementCounts(lanes[0], spec);
    const steps = spec.sessions.map((s) => expand(s.steps, counts));
    spec.sessions.forEach((s, i) => (result.sessions[s.name] = steps[i].map(stepText)));
    result.permutations.total = countInterleavings(steps.map((l) => l.length));
    if (result.permutations.total > MAX_PERMUTATIONS) {
      throw new Error(`${result.permutations.total} permutations for ${result.strategy}, more than ${MAX_PERMUTATIONS}: split the spec`);
    }
    const orders = [...interleavings(steps.map((l) => l.length))];
    const ran: Array<InterleavingPermutation | 'invalid' | undefined> = [];
    let next = 0;
    let broken: { error: unknown } | undefined;
    const work = async (lane: Lane) => {
      try {
        const sessions = await sessionsFor(lane, spec.sessions.map((s) => s.name));
        while (next < orders.length && !signal?.aborted && !broken) {
          const i = next++;
          try {
            ran[i] = await runPermutation(lane, spec, steps, sessions, orders[i]);
          } catch (e) {
            if (!(e instanceof Invalid)) throw e;
            ran[i] = 'invalid';
          }
        }
      } catch (error) {
        broken ??= { error };
      }
    };
    await Promise.all(lanes.map(work));
    if (broken) throw broken.error;
    if (signal?.aborted) {
      result.status = 'interrupted';
      result.reason = 'interrupted (Ctrl-C)';
    }
    for (const p of ran) {
      if (!p) continue;
      if (p === 'invalid') {
        result.permutations.invalid++;
        continue;
      }
      result.permutations.run++;
      const label = outcomeLabel(p.outcome);
      result.outcomes[label] = (result.outcomes[label] ?? 0) + 1;
      if (p.outcome.kind !== 'exact') {
        result.permutations.failing++;
        result.failing.push(p);
      } else if (p.outcome.readOffBy) {
        result.permutations.readsOff++;
        result.readsOff.push(p);
      }
    }
  } catch (e) {
    result.status = 'failed';
    result.reason = (e as Error).message.split('\n')[0];
  }
  result.durationMs = Date.now() - started;
  return result;
}
