// summary.md's interleavings: the same table and shortest failing permutations as the page, each
// permutation as a table with a column per session.
import type { InterleavingPermutation, Results } from '../harness/results/types.ts';
import { interleavingProof, permutationToDraw } from '../harness/interleave/proof.ts';
import { driftText, stepLabel, stepNotes } from '../harness/interleave/labels.ts';
import { outcomeLabel, outcomeSentence } from '../harness/interleave/outcome.ts';
import { fmtInt } from './format.ts';
import { escapeMarkdown as md, escapeMarkdownCode as code } from './safe-text.ts';

type MdTable = (headers: string[], rows: string[][], numeric?: boolean[]) => string;

function timeline(p: InterleavingPermutation, sessions: string[], mdTable: MdTable): string {
  const rows = p.steps.map((s, i) => {
    const notes = stepNotes(s, p);
    const cell = md(stepLabel(s)) + (notes.length ? ` *(${md(notes.join('; '))})*` : '');
    return [String(i + 1), ...sessions.map((name) => (name === s.session ? (s.marks ? `**${cell}**` : cell) : '')), driftText(s.drift)];
  });
  if (p.settledDrift) rows.push(['', md('background jobs drain') + (p.settleMarks ? ' **(the loss is made here)**' : ''), ...sessions.slice(1).map(() => ''), driftText(p.settledDrift)]);
  return mdTable(['#', ...sessions.map((s) => md(s)), 'counter − COUNT(*), committed'], rows, [true, ...sessions.map(() => false), true]);
}

/** The "## Interleavings" part of summary.md; nothing when none were run. */
export function interleavingsMarkdown(results: Results, mdTable: MdTable): string[] {
  const list = results.interleavings ?? [];
  if (!list.length) return [];
  const out = ['## Interleavings'];
  out.push(
    "Every order of each spec's steps that keeps each session's own order, on fresh data of one user, a wait seen through `pg_blocking_pids()`, " +
      'every counter compared with `COUNT(*)` after the jobs drained. A failing permutation fails every time it is run; none failing covers only ' +
      'these statements at this isolation level.',
  );
  out.push(
    mdTable(
      ['strategy', 'spec', 'isolation', 'run', 'failing', 'outcomes'],
      list.map((r) =>
        r.spec === null || r.status !== 'ok'
          ? [`\`${code(r.strategy)}\``, r.spec ? `\`${code(r.spec)}\`` : '–', '', '', '', md(`${r.status}: ${r.reason ?? ''}`)]
          : [
              `\`${code(r.strategy)}\``,
              `\`${code(r.spec)}\``,
              md(r.isolation),
              fmtInt(r.permutations.run),
              fmtInt(r.permutations.failing),
              md(Object.entries(r.outcomes).map(([label, n]) => `${label} ×${n}`).join(', ')),
            ],
      ),
      [false, false, false, true, true, false],
    ),
  );
  for (const id of [...new Set(list.map((r) => r.strategy))]) {
    const proof = interleavingProof(results, id);
    if (!proof) continue;
    out.push(`### \`${code(id)}\``);
    out.push(proof.shortest ? `**${md(outcomeLabel(proof.shortest.outcome))}**: ${md(proof.evidence)}` : md(proof.evidence));
    const drawn = permutationToDraw(results, id);
    if (!drawn) continue;
    if (!drawn.failing) out.push(md(`The shortest of them (${drawn.entry.spec}): ${outcomeSentence(drawn.permutation.outcome)}.`));
    out.push(timeline(drawn.permutation, Object.keys(drawn.entry.sessions), mdTable));
  }
  return out;
}
