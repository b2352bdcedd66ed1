// Short words for a permutation's steps, shared by the terminal, summary.md and report.html: the
// statement a step sent, shortened to what it touches, and what happened to it.
import type { InterleavingPermutation, InterleavingStep } from '../results/types.ts';

// counterbench:<namespace>:<strategy>: in front of every Redis key says nothing to a reader
const REDIS_PREFIX = /counterbench:[^:\s]+:[^:\s]+:/g;

/** A statement shortened to its verb and table: "UPDATE user_stats SET total_answers_lifetime …". */
export function shortStatement(text: string): string {
  const t = text.replace(REDIS_PREFIX, '');
  let m = /^INSERT INTO (\S+)/i.exec(t);
  if (m) return `INSERT INTO ${m[1]}`;
  m = /^UPDATE (\S+)(?: \w+)? SET (\w+)/i.exec(t);
  if (m) return `UPDATE ${m[1]} SET ${m[2]} …`;
  m = /^DELETE FROM (\S+)/i.exec(t);
  if (m) return `DELETE FROM ${m[1]}`;
  m = /^SELECT\b.*?\bFROM (\S+)/i.exec(t);
  if (m) return `SELECT … FROM ${m[1]}`;
  m = /^(REFRESH MATERIALIZED VIEW(?: CONCURRENTLY)? \S+)/i.exec(t);
  if (m) return m[1];
  return t.length > 60 ? t.slice(0, 59) + '…' : t;
}

/** What the step did, in a few words: its statements, or what it stands for. */
export function stepLabel(s: InterleavingStep): string {
  if (s.step === 'die') return 'the application dies (connection terminated)';
  if (s.step === 'jobs') return 'background jobs catch up (drain)';
  if (s.skipped) return `${s.step}: not sent`;
  if (s.step === 'BEGIN' || s.step === 'COMMIT' || s.step === 'ROLLBACK') return s.sent[0] ?? s.step;
  const what = s.sent.map(shortStatement).join('; ');
  return s.step === 'read' ? `read: ${what}` : what || s.step;
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

/** counter − truth, shortened: one number when every counter agrees. */
export function driftText(d: Record<string, number> | undefined): string {
  if (!d) return '';
  const values = Object.values(d);
  if (!values.length) return '';
  if (values.every((v) => v === values[0])) return signed(values[0]);
  return Object.entries(d)
    .map(([name, v]) => `${name.split('.')[0]} ${signed(v)}`)
    .join(', ');
}

/** What happened to the step beside what it sent: waits, errors, reads, the loss. */
export function stepNotes(s: InterleavingStep, p: InterleavingPermutation): string[] {
  const notes: string[] = [];
  if (s.waitedOn) {
    const until = s.resumedAfter === undefined ? 'after the last step' : `until step ${s.resumedAfter + 1} (${p.steps[s.resumedAfter].session} ${p.steps[s.resumedAfter].step})`;
    notes.push(`waits for ${s.waitedOn.join(', ')} ${until}`);
  }
  if (s.skipped) notes.push(s.skipped);
  if (s.read) notes.push(`shows ${s.read.value}; its snapshot counts ${s.read.truth}`);
  if (s.error) notes.push(`error${s.error.sqlstate ? ` ${s.error.sqlstate}` : ''}: ${s.error.message}`);
  if (s.ownDrift && Object.values(s.ownDrift).some((v) => v !== 0)) notes.push(`own view: counters ${driftText(s.ownDrift)}`);
  if (s.marks) notes.push(s.marks === 'lost' ? 'the increment is lost here' : 'the extra count is made here');
  return notes;
}
