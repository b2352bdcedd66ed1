// summary.md of a capacity search: the knees and headroom per data size, the planner's figures,
// what limited each knee.
import type { Results } from '../harness/results/types.ts';
import { fmtCrossing, fmtHeadroom, fmtKnee, fmtLimit, todayLines } from './capacity.ts';
import { fmtInt, fmtMs, fmtNum } from './format.ts';
import { escapeMarkdown as md, escapeMarkdownCode as code } from './safe-text.ts';

function mdTable(headers: string[], rows: string[][], numeric: boolean[]): string {
  const align = headers.map((_, i) => (numeric[i] ? '---:' : '---'));
  return [`| ${headers.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function renderCapacityMarkdown(results: Results): string {
  const c = results.capacity!;
  const s = c.settings;
  const env = results.run.environment;
  const out: string[] = [];
  out.push(`# counterbench capacity: ${md(results.run.scenario?.name ?? 'capacity')}`);
  out.push(
    `Run \`${md(results.run.id)}\`, ${md(results.run.startedAt)}; ${md(env?.postgres?.version ?? 'Postgres ?')}, Node ${md(env?.node ?? '?')}, ` +
      `${fmtInt(env?.cpus)} CPUs, target ${md(env?.target ?? '?')}. Budget ${fmtMs(s.budgetMs)}, used ${fmtMs(c.usedMs)}.`,
  );
  if (c.interrupted) out.push('> **This search was interrupted: the figures are partial, its knees lower bounds.**');
  out.push(
    `Open-model rate search per strategy and data size: ×${fmtNum(s.growth)} from ${fmtNum(s.startRate)}/s until a step fails, then bisected to within ${fmtNum(s.tolerance * 100)} %. ` +
      `Steps of ${fmtNum(s.warmupSeconds)} s warm-up and ${fmtNum(s.windowSeconds)} s measured. A step fails a line when write p99 (from the intended start) is over it, ` +
      `and every line on errors or drops over ${fmtNum(s.maxErrorPct)} %, an achieved rate ${fmtNum(s.maxShortfallPct)} % short of the offered one, or drift. ` +
      `The knee is the highest passing rate; ≥ marks a lower bound (the harness may have caused the failure, or the search did not finish).`,
  );
  const today = todayLines(c);
  if (today.length) out.push('## Headroom', today.map((l, i) => (i === 0 ? md(l) : `- ${md(l)}`)).join('\n'));
  out.push('## Knees');
  for (const users of s.users) {
    const headers = ['strategy'];
    const numeric = [false];
    for (const l of s.sloP99Ms) {
      headers.push(`knee p99 ≤ ${fmtNum(l)} ms`, 'limited by');
      numeric.push(true, false);
      if (c.profile) {
        headers.push('headroom');
        numeric.push(true);
      }
    }
    headers.push('steps', 'search');
    numeric.push(true, false);
    const rows = c.searches
      .filter((x) => x.users === users)
      .map((x) => {
        const cells = [`\`${code(x.strategy)}\``];
        for (const k of x.knees) {
          cells.push(md(fmtKnee(k)), md(fmtLimit(k)));
          if (c.profile) cells.push(md(fmtHeadroom(k.headroom, k.lowerBound)));
        }
        const limited = x.steps.filter((st) => st.harnessLimited).length;
        cells.push(`${x.steps.length}${limited ? ` (${limited} harness)` : ''}`, md(x.status));
        return cells;
      });
    out.push(`### ${fmtInt(users)} users`, mdTable(headers, rows, numeric));
  }
  const details = c.searches.flatMap((x) => x.knees.filter((k) => k.detail && k.limit !== 'not-measured').map((k) => `- \`${code(x.strategy)}\` at ${fmtInt(x.users)} users, p99 ${fmtNum(k.sloP99Ms)} ms: ${md(k.detail)}`));
  if (details.length) out.push('### What limited each knee', details.join('\n'));
  if (c.crossings?.length) {
    out.push(
      "## Where the profile's peak meets the knee",
      'Interpolated between measured sizes, projected outside them: a projection is not a measurement.',
      mdTable(['strategy', 'line', 'users at the knee'], c.crossings.map((x) => [`\`${code(x.strategy)}\``, `p99 ${fmtNum(x.sloP99Ms)} ms`, md(fmtCrossing(x))]), [false, false, true]),
    );
  }
  const notes = c.searches.filter((x) => x.reason).map((x) => `- \`${code(x.strategy)}\` at ${fmtInt(x.users)} users: ${md(x.reason)}`);
  if (notes.length) out.push('## Notes', notes.join('\n'));
  return out.join('\n\n') + '\n';
}
