// What each fault of a phase cost, read from what the phase recorded, and the faults the harness
// suffered without being asked to: a job or load connection lost, Redis gone, the check or admin
// connection replaced. A suffered fault that an injected one explains is not listed twice.
import type { FaultRecord, SeriesPoint } from '../results/types.ts';
import type { JobEvent } from '../strategies/types.ts';
import type { Outage } from '../provision/redis-watch.ts';

export interface PhaseSignals {
  round: number;
  /** epoch ms of the measured part's start, and of the end of the phase's checks */
  measureStartedAt: number;
  endedAt: number;
  series: SeriesPoint[];
  jobEvents: JobEvent[];
  loadReconnects: number;
  appCrashes: number;
  redisOutages: Outage[];
  /** the check and admin connections replaced during the phase */
  pgReconnects: number;
}

const EXPLAINED_BY: Record<string, string[]> = {
  'job-connection-lost': ['terminate-job-connection', 'postgres-restart'],
  'load-connection-lost': ['terminate-load-connection', 'app-crash-after-insert', 'postgres-restart'],
  'redis-lost': ['redis-restart'],
  'postgres-connection-lost': ['postgres-restart'],
};

/** Failed operations in the whole seconds from tMs until the part came back (one second more:
 *  failures are filed by the second they were noticed in), or to the end when it never did. */
function errorsDuring(series: SeriesPoint[], tMs: number, downMs: number | null | undefined): number {
  const from = Math.floor(tMs / 1000);
  const to = downMs === null ? Infinity : Math.floor((tMs + (downMs ?? 0)) / 1000) + 1;
  return series.filter((p) => p.t >= from && p.t <= to).reduce((a, p) => a + p.errors, 0);
}

export function attributeFaults(injected: FaultRecord[], s: PhaseSignals): FaultRecord[] {
  const out: FaultRecord[] = injected.map((r) => ({ ...r, cost: { ...r.cost } }));
  const reconnectsAfter = (at: number) => s.jobEvents.find((e) => e.kind === 'job-reconnect' && e.at >= at);
  for (const r of out) {
    if (!r.happened) continue;
    if (r.kind === 'terminate-job-connection') {
      const back = reconnectsAfter(r.at);
      r.cost.downMs = back ? back.at - r.at : null;
    }
    if (r.kind === 'app-crash-after-insert') r.cost.appCrashes = s.appCrashes;
    r.cost.errors = errorsDuring(s.series, r.tMs, r.cost.downMs);
  }

  const explained = (kind: string) => out.some((r) => r.happened && EXPLAINED_BY[kind].includes(r.kind));
  const suffered = (kind: string, at: number, detail: string, cost: FaultRecord['cost']) => {
    if (explained(kind)) return;
    const tMs = at - s.measureStartedAt;
    out.push({ kind, injected: false, happened: true, round: s.round, at, tMs, detail, cost: { ...cost, errors: errorsDuring(s.series, tMs, cost.downMs) } });
  };
  const jobLost = s.jobEvents.filter((e) => e.kind === 'job-reconnect');
  if (jobLost.length) suffered('job-connection-lost', jobLost[0].at, `a background job's connection was lost and replaced ${jobLost.length} time(s) (${jobLost[0].error ?? 'no reason given'})`, {});
  for (const o of s.redisOutages) {
    if ((o.to ?? Infinity) < s.measureStartedAt || o.from > s.endedAt) continue;
    suffered('redis-lost', o.from, o.to === undefined ? 'Redis went away and did not come back' : 'Redis went away and came back', { downMs: o.to === undefined ? null : o.to - o.from });
  }
  if (s.loadReconnects > s.appCrashes) {
    suffered('load-connection-lost', s.measureStartedAt, `${s.loadReconnects - s.appCrashes} load connection(s) lost and replaced`, {});
  }
  if (s.pgReconnects) suffered('postgres-connection-lost', s.measureStartedAt, `the harness's check or admin connection was lost and replaced ${s.pgReconnects} time(s)`, {});
  return out.sort((a, b) => a.at - b.at);
}
