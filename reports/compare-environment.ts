// Whether two runs were measured on the same kind of machine and server. Absolute times of one
// Postgres version on 2 CPUs say nothing about another on 16; the ratio to baseline measured in
// the same run does travel, so across environments compare judges only that (unless the user
// says the difference does not matter: --same-environment). The same holds for one machine in
// two states: when baseline (the bare INSERT, no counter: nothing a strategy changes) itself
// moved significantly, the machine's load or the server did, and absolute figures of the
// strategies say that, not what their code costs.
import type { Environment } from '../harness/results/types.ts';

export interface EnvironmentDifference {
  field: 'postgres' | 'cpus' | 'target' | 'baseline';
  a: string;
  b: string;
  /** baseline: the figure that moved, its change and interval */
  detail?: string;
}

/** "PostgreSQL 15.20 (Debian …) on x86_64 …" → "15.20"; the settings' server_version first. */
export function postgresVersion(e: Environment | undefined): string {
  const fromSettings = e?.postgres?.settings?.server_version;
  if (fromSettings) return fromSettings.split(' ')[0];
  const m = /PostgreSQL (\S+)/.exec(e?.postgres?.version ?? '');
  return m ? m[1] : (e?.postgres?.version ?? 'unknown');
}

export function environmentDifferences(a: Environment | undefined, b: Environment | undefined): EnvironmentDifference[] {
  const out: EnvironmentDifference[] = [];
  const pa = postgresVersion(a);
  const pb = postgresVersion(b);
  if (pa !== pb) out.push({ field: 'postgres', a: pa, b: pb });
  if (a?.cpus !== b?.cpus) out.push({ field: 'cpus', a: String(a?.cpus ?? 'unknown'), b: String(b?.cpus ?? 'unknown') });
  if (a?.target !== b?.target) out.push({ field: 'target', a: String(a?.target ?? 'unknown'), b: String(b?.target ?? 'unknown') });
  return out;
}

export function describeDifferences(d: EnvironmentDifference[]): string {
  const label = { postgres: 'Postgres', cpus: 'CPUs', target: 'target' } as const;
  return d
    .map((x) => (x.field === 'baseline' ? `baseline itself moved, so the machine's load or the server did: ${x.detail}` : `${label[x.field]} ${x.a} vs ${x.b}`))
    .join(', ');
}
