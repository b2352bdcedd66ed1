// Where and how the run happened: versions and machine, and the scenario exactly as it ran.
import type { Results } from '../../../harness/results/types.ts';
import { fmtBytes, fmtInt } from '../../format.ts';
import { esc, section, table, type SectionOut } from '../markup.ts';

function facts(pairs: Array<[string, string]>): string {
  return `<dl class="facts">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

export function environmentSection(results: Results): SectionOut {
  const env = results.run.environment;
  let inner = facts([
    ['PostgreSQL', env?.postgres?.version ?? 'unknown'],
    ['Redis', env?.redis ? env.redis.version : 'none'],
    ['Node.js', env?.node ?? 'unknown'],
    ['OS', env?.os ?? 'unknown'],
    ['CPUs', fmtInt(env?.cpus)],
    ['memory', fmtBytes(env?.memoryBytes)],
    ['target', env?.target ?? 'unknown'],
    ['run id', results.run.id],
    ['started', results.run.startedAt],
    ['finished', results.run.finishedAt],
  ]);
  const settings = Object.entries(env?.postgres?.settings ?? {});
  if (settings.length) {
    inner += '<details><summary>Postgres settings</summary>' + table([{ text: 'setting' }, { text: 'value' }], settings.map(([k, v]) => [`<code>${esc(k)}</code>`, esc(v)])) + '</details>';
  }
  return { html: section('environment', 'Environment', inner), charts: [] };
}

export function scenarioSection(results: Results): SectionOut {
  const sc = results.run.scenario;
  if (!sc) return { html: section('scenario', 'Scenario as run', '<p class="muted">The results carry no scenario.</p>'), charts: [] };
  const load =
    sc.load.kind === 'closed'
      ? `closed: ${sc.load.clients} clients, think time ${sc.load.thinkTimeMs} ms`
      : `open: ${sc.load.rate} ops/s on ${sc.load.clients} connections, at most ${sc.load.maxInFlight} in flight`;
  const keys =
    sc.keys.kind === 'uniform'
      ? 'uniform'
      : sc.keys.kind === 'zipfian'
        ? `zipfian, exponent ${sc.keys.exponent}`
        : `hot set: ${Math.round(sc.keys.hotShare * 100)} % of operations on ${sc.keys.hotUsers} users`;
  const inner =
    (sc.description ? `<p>${esc(sc.description)}</p>` : '') +
    facts([
      ['name', sc.name],
      ['strategies', sc.strategies.join(', ')],
      ['data', `${fmtInt(sc.data.users)} users × ${sc.data.sessionsPerUser} sessions, ${fmtInt(sc.data.answersPerUser)} answers per user${sc.data.answersSkew > 0 ? ` (skew ${sc.data.answersSkew})` : ''}`],
      ['load', load],
      ['phases', `warm-up ${sc.phases.warmupSeconds} s, measured ${sc.phases.durationSeconds} s${sc.phases.stages.length ? `, ${sc.phases.stages.length} stages` : ''}`],
      ['mix', `write ${sc.mix.write}, read ${sc.mix.read}, delete ${sc.mix.delete}`],
      ['keys', keys],
      ['rounds', String(sc.rounds)],
      ['seed', String(sc.seed)],
      ['thresholds', sc.thresholds.length ? sc.thresholds.map((t) => t.expression).join('; ') : 'none'],
    ]) +
    `<details><summary>The whole scenario (JSON)</summary><pre>${esc(JSON.stringify(sc, null, 2))}</pre></details>`;
  return { html: section('scenario', 'Scenario as run', inner), charts: [] };
}
