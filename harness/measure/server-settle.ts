// Cumulative statistics lag behind the work they count, so a snapshot taken the moment a phase ends
// misses part of it. How they travel (PostgreSQL 15+, shared-memory stats):
//  - a backend keeps its counts locally and flushes them at most once per PGSTAT_MIN_INTERVAL
//    (1 s) when a transaction ends; a backend that goes idle within that second arms a timer of
//    PGSTAT_IDLE_INTERVAL (10 s), not of the rest of the second: measured here, 7 inserts made in
//    a burst showed as 1 until the connection had sat idle for 10 s;
//  - a backend that exits flushes everything (pgstat_shutdown_hook, a before_shmem_exit callback),
//    and only afterwards leaves pg_stat_activity (pgstat_beshutdown_hook runs later, on_shmem_exit).
// So once a backend is gone from pg_stat_activity, or has sat idle for more than 10 s, its counts
// are in shared memory; a connection the harness keeps open is flushed on request instead
// (forceStatsFlush), so that no phase pays those 10 s. Before 15 a stats collector process
// received them over UDP every PGSTAT_STAT_INTERVAL (500 ms) and idle backends kept theirs until
// their next transaction or exit: there only "gone" is safe, plus a grace period for the
// collector.
// pg_stat_statements is not affected: it updates its shared hash at the end of every statement.
import type pg from 'pg';
import { MEASURE_TAG } from './server-statements.ts';
import { MEASURE_APP_PREFIX } from './sampler-loop.ts';

/** PGSTAT_IDLE_INTERVAL (10 s) plus a margin for the idle timer to fire. */
const IDLE_FLUSH_MS = 10_500;
/** PG < 15: time for the stats collector to receive and apply a backend's last message. */
const COLLECTOR_GRACE_MS = 700;

export interface SettleOptions {
  /** backends whose application_name starts with this are waited for (the samplers' own,
   *  counterbench-measure:*, never are) */
  applicationNamePrefix: string;
  /** backends with these exact names are not waited for: the harness's own check connection,
   *  which outlives every phase and would otherwise cost each snapshot the idle 10 s. Its owner
   *  flushes it with forceStatsFlush first (PG 15+); before 15 its counts hold only the harness's
   *  own reads, and they are not the strategy's to be charged with. */
  flushed?: string[];
  /** give up after this long and report not settled (default 15 s, past the idle flush) */
  timeoutMs?: number;
}

export interface SettleOutcome {
  settled: boolean;
  waitedMs: number;
  /** backends with the prefix still present and not yet known to have flushed, when not settled */
  pending: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until every backend named with the prefix has flushed its statistics (gone, or idle
 *  long enough on PG 15+), then discards this connection's cached stats snapshot. */
export async function waitForStatsFlush(c: pg.ClientBase, o: SettleOptions): Promise<SettleOutcome> {
  const started = Date.now();
  const timeoutMs = o.timeoutMs ?? 15_000;
  const version = await serverVersionNum(c);
  const sharedMemoryStats = version >= 150000;
  let pending = 0;
  for (;;) {
    // On PG < 15 an idle backend may still hold unsent counts, so only "gone" counts as flushed.
    const r = await c.query<{ pending: number }>(
      `${MEASURE_TAG} SELECT count(*)::int AS pending FROM pg_stat_activity
        WHERE left(application_name, length($1)) = $1 AND pid <> pg_backend_pid()
          AND left(application_name, length($4)) <> $4
          AND NOT application_name = ANY($5::text[])
          AND NOT ($2 AND state = 'idle'
                   AND state_change < clock_timestamp() - make_interval(secs => $3))`,
      [o.applicationNamePrefix, sharedMemoryStats, IDLE_FLUSH_MS / 1000, MEASURE_APP_PREFIX, o.flushed ?? []],
    );
    pending = r.rows[0].pending;
    if (pending === 0) break;
    if (Date.now() - started > timeoutMs) {
      await c.query(`${MEASURE_TAG} SELECT pg_stat_clear_snapshot()`);
      return { settled: false, waitedMs: Date.now() - started, pending };
    }
    await sleep(50);
  }
  if (!sharedMemoryStats) await sleep(COLLECTOR_GRACE_MS);
  await c.query(`${MEASURE_TAG} SELECT pg_stat_clear_snapshot()`);
  return { settled: true, waitedMs: Date.now() - started, pending: 0 };
}

/** Makes this backend's pending statistics reach shared memory before the server answers: with
 *  the force flag set, the flush runs as the backend goes idle, ahead of ReadyForQuery. Before
 *  PG 15 there is no such call (and no shared memory to flush to): a no-op. */
export async function forceStatsFlush(c: pg.ClientBase): Promise<void> {
  if ((await serverVersionNum(c)) >= 150000) await c.query(`${MEASURE_TAG} SELECT pg_stat_force_next_flush()`);
}

const versionCache = new WeakMap<object, number>();

export async function serverVersionNum(c: pg.ClientBase): Promise<number> {
  const cached = versionCache.get(c);
  if (cached !== undefined) return cached;
  const r = await c.query<{ v: string }>(`${MEASURE_TAG} SELECT current_setting('server_version_num') AS v`);
  const v = Number(r.rows[0].v);
  versionCache.set(c, v);
  return v;
}
