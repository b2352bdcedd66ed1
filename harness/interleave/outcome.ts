// How a permutation ended, in the words of the issue: exact, lost N, extra N, or an error with its
// SQLSTATE; and, for the specs that read, a read below (stale) or above the truth. Also where the
// loss was made, for the timeline.
import type { InterleavingError, InterleavingOutcome, InterleavingPermutation, InterleavingStep } from '../results/types.ts';
import type { CounterReading } from './observe.ts';

export function classify(end: CounterReading[], error: InterleavingOutcome['error'], reads: Array<{ value: number; truth: number }>): InterleavingOutcome {
  let lost = 0;
  let extra = 0;
  for (const c of end) {
    lost = Math.max(lost, c.truth - c.value);
    extra = Math.max(extra, c.value - c.truth);
  }
  let readOffBy = 0;
  for (const r of reads) {
    const d = r.value - r.truth;
    if (Math.abs(d) > Math.abs(readOffBy)) readOffBy = d;
  }
  const kind: InterleavingOutcome['kind'] = lost > 0 ? 'lost' : extra > 0 ? 'extra' : error ? 'error' : 'exact';
  const out: InterleavingOutcome = { kind, lost, extra, counters: end };
  if (error) out.error = error;
  if (readOffBy !== 0) out.readOffBy = readOffBy;
  return out;
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

function readOff(by: number): string {
  return by < 0 ? `a read ${-by} below` : `a read ${by} above`;
}

/** "exact", "lost 1", "extra 1", "error 40P01", "exact, a read 1 below": the key of `outcomes`. */
export function outcomeLabel(o: InterleavingOutcome): string {
  switch (o.kind) {
    case 'lost':
      return `lost ${o.lost}` + (o.extra ? `, extra ${o.extra}` : '');
    case 'extra':
      return `extra ${o.extra}`;
    case 'error':
      return `error ${o.error?.sqlstate ?? '(no SQLSTATE)'}`;
    default:
      return o.readOffBy ? `exact, ${readOff(o.readOffBy)}` : 'exact';
  }
}

/** One sentence: what this permutation does every time it runs. */
export function outcomeSentence(o: InterleavingOutcome): string {
  switch (o.kind) {
    case 'lost':
      return `this interleaving loses ${o.lost === 1 ? 'an increment' : plural(o.lost, 'increment')} every time`;
    case 'extra':
      return `this interleaving leaves ${o.extra === 1 ? 'an increment' : plural(o.extra, 'increment')} too many every time`;
    case 'error':
      return `this interleaving fails with SQLSTATE ${o.error?.sqlstate ?? '(none)'} every time (${o.error?.message ?? ''})`;
    default:
      if (!o.readOffBy) return 'this interleaving keeps every counter exact';
      return `this interleaving keeps every counter exact, but a reader in it sees the count ${Math.abs(o.readOffBy)} ${o.readOffBy < 0 ? 'below' : 'above'} what its own snapshot holds, every time`;
  }
}

export function errorOf(e: unknown): InterleavingError {
  const err = e as { code?: unknown; message?: unknown };
  const out: InterleavingError = { message: String(err?.message ?? e).split('\n')[0] };
  if (typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) out.sqlstate = err.code;
  return out;
}

/** What the runner knows of each step beyond the results: whether its session was inside a
 *  transaction when it ran. */
export interface StepMeta {
  inTx: boolean;
  action: boolean;
}

/**
 * Marks the step that made the permutation's final loss (or excess). The committed drift of the
 * worst counter took its final value at some step and kept it; the mark goes to the last
 * autocommitted write or delete that took effect from there on (the last writer of a
 * read-modify-write), else, when a COMMIT published it, to the action of that transaction whose
 * own view first showed it (or its last action), else to that step itself.
 */
export function markLoss(p: InterleavingPermutation, meta: StepMeta[], hasJobs: boolean): void {
  const o = p.outcome;
  if (o.kind !== 'lost' && o.kind !== 'extra') return;
  const sign = o.kind === 'lost' ? -1 : 1;
  const worst = o.counters.reduce((a, c) => ((c.value - c.truth) * sign > (a.value - a.truth) * sign ? c : a));
  const final = worst.value - worst.truth;
  const seq = p.steps.map((s) => s.drift?.[worst.name]);
  // where the run of steps ending with the final value begins
  let j = seq.length;
  while (j > 0 && seq[j - 1] === final) j--;
  const mark = o.kind;
  if (j === seq.length) {
    // the last step did not leave it so: a job's drain, or a step that finished after the last
    if (hasJobs && p.settledDrift?.[worst.name] === final) {
      p.settleMarks = mark;
      return;
    }
    const late = p.steps.filter((s) => s.waitedOn && s.resumedAfter === undefined).pop();
    if (late) late.marks = mark;
    return;
  }
  const landed = (i: number) => p.steps[i].resumedAfter ?? i;
  let last = -1;
  p.steps.forEach((s, i) => {
    if (meta[i].action && !meta[i].inTx && !s.error && !s.skipped && landed(i) >= j && (last < 0 || landed(i) >= landed(last))) last = i;
  });
  if (last >= 0) {
    p.steps[last].marks = mark;
    return;
  }
  const at: InterleavingStep = p.steps[j];
  if (at.step === 'COMMIT') {
    let begin = j - 1;
    while (begin >= 0 && !(p.steps[begin].session === at.session && p.steps[begin].step === 'BEGIN')) begin--;
    const actions = p.steps.map((s, i) => i).filter((i) => i > begin && i < j && p.steps[i].session === at.session && meta[i].action);
    const shown = actions.find((i) => p.steps[i].ownDrift?.[worst.name] === final);
    const i = shown ?? actions[actions.length - 1];
    if (i !== undefined) {
      p.steps[i].marks = mark;
      return;
    }
  }
  at.marks = mark;
}
