// Lock waits of a strategy's phase, sampled: every ~25 ms, which of the strategy's backends
// (application_name prefix) wait, and on what. Postgres keeps no cumulative count of lock waits
// (log_lock_waits only logs waits over deadlock_timeout), so sampling is the way to see them.
//
// Heavyweight locks: pg_stat_activity's wait_event under wait_event_type 'Lock' already names the
// lock type (relation, tuple, transactionid, advisory, ...). pg_locks adds the mode and the
// relation, but reading it takes every lock-manager partition lock, so it is read only in the
// samples where some backend is waiting on a lock: the sampler must not cause the contention it
// measures.
//
// Other waits (LWLock, IO, IPC, BufferPin, Timeout ...) are not locks in the SQL sense but show
// where backends spend time: WALWrite, lock-manager partitions, buffer mappings. Counted apart.
import type pg from 'pg';
import { MEASURE_TAG } from './server-statements.ts';
import { MEASURE_APP_PREFIX, runSamplerLoop } from './sampler-loop.ts';

export interface WaitTally {
  /** backend-samples found waiting on it */
  samples: number;
  /** separate waits: a backend seen waiting on it that was not in the sample before */
  distinct: number;
  /** estimated time spent waiting: each waiting backend-sample counts the time since the sample
   *  before (the sampling interval, capped at four intervals when sampling fell behind) */
  estWaitMs: number;
  /** most backends waiting on it in one sample */
  maxConcurrent: number;
  /** requested lock modes (heavyweight locks only), by backend-samples */
  modes?: Record<string, number>;
  /** relations waited on (relation, tuple, page, extend locks), by backend-samples */
  relations?: Record<string, number>;
}

export interface LockWaitStats {
  applicationNamePrefix: string;
  intervalMs: number;
  samples: number;
  durationMs: number;
  /** backends of the prefix found active (running a statement), summed over samples: the
   *  denominator for "share of the time spent waiting" */
  activeBackendSamples: number;
  /** heavyweight lock waits by lock type */
  locks: Record<string, WaitTally>;
  lockWaitSamples: number;
  lockWaitMs: number;
  /** other wait events, keyed "<wait_event_type>:<wait_event>", e.g. "LWLock:WALWrite" */
  waitEvents: Record<string, WaitTally>;
  errors: number;
  lastError?: string;
}

export interface LockSamplerOptions {
  /** application_name prefix of the backends to watch, e.g. counterbench:trigger-upsert */
  applicationNamePrefix: string;
  /** default 25 ms */
  intervalMs?: number;
  /** told of each heavyweight lock wait when it is no longer seen (or at stop), with its
   *  estimated length: the samples it was seen in times their interval (a run's /metrics) */
  onWaitEnded?: (lockType: string, ms: number) => void;
}

// Client: idle, waiting for the application; Activity: background processes' main loops.
const IGNORED_WAIT_TYPES = new Set(['Client', 'Activity']);

interface Row {
  pid: number;
  wet: string | null;
  we: string | null;
}

interface LockRow {
  pid: number;
  locktype: string;
  mode: string;
  rel: string | null;
}

function tally(map: Record<string, WaitTally>, key: string, withDetail: boolean): WaitTally {
  let t = map[key];
  if (!t) {
    t = { samples: 0, distinct: 0, estWaitMs: 0, maxConcurrent: 0 };
    if (withDetail) {
      t.modes = {};
      t.relations = {};
    }
    map[key] = t;
  }
  return t;
}

const bump = (m: Record<string, number> | undefined, k: string | null) => {
  if (m && k) m[k] = (m[k] ?? 0) + 1;
};

export function startLockSampler(url: string, opts: LockSamplerOptions): { stop(): Promise<LockWaitStats> } {
  const intervalMs = opts.intervalMs ?? 25;
  const prefix = opts.applicationNamePrefix;
  const startedAt = Date.now();
  const stats: LockWaitStats = {
    applicationNamePrefix: prefix,
    intervalMs,
    samples: 0,
    durationMs: 0,
    activeBackendSamples: 0,
    locks: {},
    lockWaitSamples: 0,
    lockWaitMs: 0,
    waitEvents: {},
    errors: 0,
  };
  let previous = new Set<string>();
  let lastSampleAt: number | undefined;
  // lock waits in progress, by pid|key: their type and the time seen so far
  let open = new Map<string, { type: string; ms: number }>();
  const endWaits = (still: Set<string>) => {
    if (!opts.onWaitEnded) return;
    for (const [id, w] of open) if (!still.has(id)) opts.onWaitEnded(w.type, w.ms);
  };

  const tick = async (c: pg.Client) => {
    const r = await c.query<Row>(
      `${MEASURE_TAG} SELECT pid, wait_event_type AS wet, wait_event AS we FROM pg_stat_activity
        WHERE left(application_name, length($1)) = $1
          AND left(application_name, length($2)) <> $2
          AND pid <> pg_backend_pid() AND state = 'active'`,
      [prefix, MEASURE_APP_PREFIX],
    );
    const now = Date.now();
    const dt = lastSampleAt === undefined ? intervalMs : Math.min(now - lastSampleAt, 4 * intervalMs);
    lastSampleAt = now;
    stats.samples++;
    stats.activeBackendSamples += r.rows.length;

    const lockWaiters = r.rows.filter((x) => x.wet === 'Lock').map((x) => x.pid);
    const detail = new Map<number, LockRow>();
    if (lockWaiters.length > 0) {
      const l = await c.query<LockRow>(
        `${MEASURE_TAG} SELECT pid, locktype, mode, CASE WHEN relation IS NOT NULL THEN relation::regclass::text END AS rel
           FROM pg_locks WHERE NOT granted AND pid = ANY($1::int[])`,
        [lockWaiters],
      );
      for (const x of l.rows) detail.set(x.pid, x);
    }

    const current = new Set<string>();
    const openNow = new Map<string, { type: string; ms: number }>();
    const concurrent = new Map<WaitTally, number>();
    for (const x of r.rows) {
      if (!x.wet || IGNORED_WAIT_TYPES.has(x.wet)) continue;
      let t: WaitTally;
      let key: string;
      if (x.wet === 'Lock') {
        // The backend may have been granted its lock between the two queries: then there is no
        // pg_locks row, and the wait event still names the type.
        const d = detail.get(x.pid);
        const type = d?.locktype ?? x.we ?? 'unknown';
        key = `Lock:${type}`;
        t = tally(stats.locks, type, true);
        bump(t.modes, d?.mode ?? null);
        bump(t.relations, d?.rel ?? null);
        stats.lockWaitSamples++;
        stats.lockWaitMs += dt;
        if (opts.onWaitEnded) {
          const id = `${x.pid}|Lock:${type}`;
          const w = open.get(id) ?? { type, ms: 0 };
          w.ms += dt;
          openNow.set(id, w);
        }
      } else {
        key = `${x.wet}:${x.we ?? ''}`;
        t = tally(stats.waitEvents, key, false);
      }
      t.samples++;
      t.estWaitMs += dt;
      const id = `${x.pid}|${key}`;
      if (!previous.has(id)) t.distinct++;
      current.add(id);
      concurrent.set(t, (concurrent.get(t) ?? 0) + 1);
    }
    for (const [t, k] of concurrent) t.maxConcurrent = Math.max(t.maxConcurrent, k);
    previous = current;
    endWaits(new Set(openNow.keys()));
    open = openNow;
  };

  const loop = runSamplerLoop({ url, applicationName: `${MEASURE_APP_PREFIX}:locks` }, intervalMs, tick);

  return {
    async stop() {
      await loop.stop();
      endWaits(new Set());
      open.clear();
      const e = loop.errors();
      stats.errors = e.count;
      if (e.last) stats.lastError = e.last;
      stats.durationMs = Date.now() - startedAt;
      stats.lockWaitMs = Math.round(stats.lockWaitMs);
      return stats;
    },
  };
}
