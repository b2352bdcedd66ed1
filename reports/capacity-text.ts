// The capacity search on the terminal: one table of knees, then the planner's figures.
import type { Results } from '../harness/results/types.ts';
import { renderTable } from '../harness/cli/summary.ts';
import { fmtCrossing, fmtHeadroom, fmtKnee, fmtLimit, kneeRows, todayLines } from './capacity.ts';
import { fmtInt, fmtNum } from './format.ts';
import { stripUrls } from './safe-text.ts';

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function renderCapacityText(r: Results): string {
  const c = r.capacity;
  if (!c) return 'no capacity section in these results';
  const env = r.run.environment;
  const out = [
    `counterbench capacity ${r.run.id}${r.run.interrupted ? ' (INTERRUPTED: partial results)' : ''}`,
    `scenario: ${r.run.scenario.name}; sizes ${c.settings.users.map(fmtInt).join(', ')} users; SLO lines write p99 ${c.settings.sloP99Ms.map((x) => `${fmtNum(x)} ms`).join(', ')}; budget ${minutes(c.settings.budgetMs)} (used ${minutes(c.usedMs)})`,
    `target: ${env.target}, ${env.postgres.version.split(' on ')[0]}; node ${env.node}; ${env.cpus} cpus`,
    '',
  ];
  const rows = [['strategy', 'users', 'SLO p99', 'knee', 'failed at', 'limited by', 'headroom', 'steps', 'search']];
  for (const k of kneeRows(c)) {
    rows.push([
      k.strategy,
      fmtInt(k.users),
      `${fmtNum(k.knee.sloP99Ms)} ms`,
      fmtKnee(k.knee),
      k.knee.failedAt === null ? '–' : `${fmtNum(k.knee.failedAt)}/s`,
      fmtLimit(k.knee),
      fmtHeadroom(k.knee.headroom, k.knee.lowerBound),
      `${k.steps}${k.harnessLimitedSteps ? ` (${k.harnessLimitedSteps} h)` : ''}`,
      k.status,
    ]);
  }
  out.push(renderTable(rows));
  const limited = c.searches.reduce((a, s) => a + s.steps.filter((x) => x.harnessLimited).length, 0);
  if (limited) out.push('', `(n h): steps where the harness itself was saturated; a knee limited by the harness is a lower bound.`);
  const today = todayLines(c);
  if (today.length) out.push('', ...today);
  if (c.crossings?.length) {
    out.push('', "users at which the profile's peak reaches the knee (a projection is not a measurement):");
    for (const x of c.crossings) out.push(`  ${x.strategy}, p99 ${fmtNum(x.sloP99Ms)} ms: ${fmtCrossing(x)}`);
  }
  const notes = c.searches.filter((s) => s.reason).map((s) => `  ${s.strategy} at ${fmtInt(s.users)} users: ${s.reason!.split('\n')[0]}`);
  if (notes.length) out.push('', 'notes:', ...notes);
  return stripUrls(out.join('\n'));
}
