// `counterbench interleave`: every race shown step by step. Runs each spec that applies to each
// strategy in every order of its steps and prints what failed, with the shortest failing order of
// each strategy drawn as columns of statements.
import path from 'node:path';
import { EXIT_FAILED_CHECK, EXIT_OK, UsageError } from '../errors.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { strategyById } from '../strategies/index.ts';
import type { Strategy } from '../strategies/types.ts';
import type { InterleavingPermutation, InterleavingResult, Results } from '../results/types.ts';
import { DEFAULT_NAMESPACE, interleave } from '../interleave/interleave.ts';
import { loadSpecs } from '../interleave/spec.ts';
import { interleavingProof, permutationToDraw } from '../interleave/proof.ts';
import { driftText, stepLabel, stepNotes } from '../interleave/labels.ts';
import { writeResultsFile } from '../run/write-results.ts';
import { parseCommandArgs } from './args.ts';
import { parseStrategies } from './micro.ts';
import { prepareOutDir, writeReportsAfterRun } from './out-dir.ts';
import type { Output } from './output.ts';

export const INTERLEAVE_USAGE = `usage: counterbench interleave [--strategies a,b] [--spec FILE,FILE] [--out DIR] [--json]

  --strategies  comma-separated strategy ids (default: all)
  --spec        spec files to run instead of the built-in ones (harness/interleave/specs/)
  --out         write results.json (its interleavings[]), report.html and summary.md there
  --json        print the results as one JSON object, no tables
  --namespace   schemas counterbench_<NS>_<strategy> (default ${DEFAULT_NAMESPACE})
  --keep        leave the schemas in place afterwards
Each spec is sessions of steps; every order that keeps each session's own order is run on fresh
data, a step that waits on another session's lock is seen through pg_blocking_pids, and every
counter is compared with COUNT(*) at the end. Failing orders are findings: the exit code is 0
unless a spec could not be run (1).
DATABASE_URL names the Postgres to use (default: an embedded one); REDIS_URL the Redis.`;

function alignedTable(rows: string[][], numeric: boolean[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function outcomesText(r: InterleavingResult): string {
  return Object.entries(r.outcomes)
    .map(([label, n]) => `${label} ×${n}`)
    .join(', ');
}

/** The permutation as one column per session, a row per step, with what happened beside it. */
export function renderTimeline(p: InterleavingPermutation, sessions: string[]): string {
  const width = 44;
  const cell = (t: string) => (t.length > width ? t.slice(0, width - 1) + '…' : t).padEnd(width);
  const lines = [`  ${'#'.padStart(2)}  ${sessions.map(cell).join('  ')}  committed`];
  p.steps.forEach((s, i) => {
    const cols = sessions.map((name) => (name === s.session ? cell(stepLabel(s)) : cell('')));
    const notes = stepNotes(s, p);
    lines.push(`  ${String(i + 1).padStart(2)}  ${cols.join('  ')}  ${driftText(s.drift).padEnd(4)}${notes.length ? `  ${notes.join('; ')}` : ''}`.trimEnd());
  });
  if (p.settledDrift) lines.push(`  ${''.padStart(2)}  ${cell('(background jobs drain)')}  ${' '.repeat((width + 2) * (sessions.length - 1))}${driftText(p.settledDrift)}${p.settleMarks ? `  ${p.settleMarks === 'lost' ? 'the increment is lost here' : 'the extra count is made here'}` : ''}`);
  return lines.join('\n');
}

export function renderInterleavings(results: Results): string {
  const list = results.interleavings ?? [];
  const env = results.run.environment;
  const out = [`interleave: every order of each spec's steps, on fresh data; ${env.target}, PostgreSQL ${env.postgres.version.split(' ')[1] ?? env.postgres.version}`, ''];
  const rows = [['strategy', 'spec', 'run', 'invalid', 'failing', 'outcomes']];
  for (const r of list) {
    if (r.spec === null || r.status !== 'ok') rows.push([r.strategy, r.spec ?? '-', '', '', '', `${r.status}: ${r.reason ?? ''}`]);
    else rows.push([r.strategy, r.spec, String(r.permutations.run), String(r.permutations.invalid), String(r.permutations.failing), outcomesText(r)]);
  }
  out.push(alignedTable(rows, [false, false, true, true, true, false]));
  for (const id of [...new Set(list.map((r) => r.strategy))]) {
    const proof = interleavingProof(results, id);
    if (!proof) continue;
    out.push('', `${id}: ${proof.evidence}`);
    const drawn = permutationToDraw(results, id);
    if (!drawn) continue;
    out.push(`${drawn.failing ? 'shortest failing' : 'what a reader sees'}, ${drawn.entry.title.toLowerCase()} (${drawn.entry.spec}):`);
    out.push(renderTimeline(drawn.permutation, Object.keys(drawn.entry.sessions)));
  }
  if (results.run.interrupted) out.push('', 'INTERRUPTED: partial results');
  return out.join('\n');
}

export async function interleaveCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const flags = { strategies: 'string', spec: 'string', out: 'string', json: 'boolean', namespace: 'string', keep: 'boolean' } as const;
  const args = parseCommandArgs({ command: 'interleave', usage: INTERLEAVE_USAGE, flags }, argv, o.out);
  if (!args) return EXIT_OK;
  const { values } = args;
  const strategies: Strategy[] = parseStrategies(values.strategies).map((id) => strategyById(id)!);
  let specFiles: string[] | undefined;
  if (values.spec !== undefined) {
    specFiles = values.spec.split(',').map((s) => s.trim()).filter(Boolean);
    if (!specFiles.length) throw new UsageError('--spec: expected a comma-separated list of spec files');
  }
  const specs = loadSpecs(specFiles);
  const namespace = checkNamespace(values.namespace) ?? DEFAULT_NAMESPACE;
  const outDir = values.out === undefined ? undefined : await prepareOutDir(values.out, '--out');
  const log = values.json || !o.tty ? undefined : (l: string) => o.err(l);
  let results: Results;
  try {
    results = await interleave({ strategies, specs, namespace, keep: values.keep, databaseUrl: process.env.DATABASE_URL || undefined, signal, log });
  } catch (e) {
    await outDir?.removeIfUnused();
    throw e;
  }
  if (outDir) {
    const saved = writeResultsFile(results, outDir.dir);
    if (saved.fallback) o.err(`counterbench interleave: ${saved.fallback}`);
    await writeReportsAfterRun('interleave', { results, resultsPath: saved.path, outDir: path.dirname(saved.path) }, o);
  }
  o.out(values.json ? JSON.stringify(results, null, 2) : renderInterleavings(results));
  return (results.interleavings ?? []).some((r) => r.status === 'failed') ? EXIT_FAILED_CHECK : EXIT_OK;
}
