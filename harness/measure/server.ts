// Server cost of a strategy's measured phase, read from Postgres itself: a snapshot of the
// cumulative statistics before and after, and their difference normalised per operation.
// Nothing is reset (pg_stat_reset, pg_stat_statements_reset): the server may be a user's, so the
// harness only reads and subtracts.
//
// Attribution: strategies are measured one at a time, never side by side, so the server-wide
// counters (pg_stat_wal, pg_stat_database, checkpoints) that move during one strategy's phase are
// charged to that strategy. They also carry whatever else the server did meanwhile: autovacuum
// (of any schema), checkpoints, the harness's own samplers, and on a shared server other
// databases' WAL. Per-table figures (pg_stat_all_tables, pg_statio_all_tables, sizes) are read
// only for the strategy's schema and carry none of that noise.
//
// One phase, from the runner's side (prefix = `counterbench:<strategy-id>`):
//   before = await snapshotServer(admin, schema, { settle: { applicationNamePrefix: prefix } })
//   locks = startLockSampler(url, { applicationNamePrefix: prefix })
//   ... load, drain; close the driver's and the jobs' connections ...
//   lockWaits = await locks.stop()
//   after = await snapshotServer(admin, schema, { settle: { applicationNamePrefix: prefix } })
//   result.server = diffServer(before, after, { writes, reads, deletes, lockWaits })
// Settling before the first snapshot keeps warm-up work that idle connections have not flushed
// yet (up to a second of it) out of the phase; settling before the second lets the closed
// connections' last counts in.
import type pg from 'pg';
import { MEASURE_TAG, diffStatements, snapshotStatements, type StatementsCost, type StatementsSnapshot } from './server-statements.ts';
import { serverVersionNum, waitForStatsFlush, type SettleOptions, type SettleOutcome } from './server-settle.ts';
import type { LockWaitStats } from './lock-sampler.ts';

export interface TableSnapshot {
  /** r table, m materialized view, p partitioned table */
  relkind: string;
  inserts: number;
  updates: number;
  hotUpdates: number;
  /** PG 16+: updates whose new version went to another page; null before 16 */
  newPageUpdates: number | null;
  deletes: number;
  liveTuples: number;
  deadTuples: number;
  autovacuumRuns: number;
  autoanalyzeRuns: number;
  vacuumRuns: number;
  analyzeRuns: number;
  seqScans: number;
  idxScans: number;
  heapBlksHit: number;
  heapBlksRead: number;
  idxBlksHit: number;
  idxBlksRead: number;
  toastBlksHit: number;
  toastBlksRead: number;
  /** main fork only (pg_relation_size) */
  relationBytes: number;
  /** with TOAST, free space and visibility maps (pg_table_size) */
  tableBytes: number;
  indexesBytes: number;
}

export interface ServerSnapshot {
  takenAtMs: number;
  schema: string;
  serverVersionNum: number;
  /** how waiting for other backends' statistics went, when asked to */
  settle?: SettleOutcome;
  wal: {
    /** pg_stat_wal (PG 14+); null before */
    bytes: number | null;
    fpi: number | null;
    records: number | null;
    statsReset: string | null;
    /** pg_current_wal_lsn(); null on a standby */
    lsn: string | null;
  };
  database: {
    blksHit: number;
    blksRead: number;
    xactCommit: number;
    xactRollback: number;
    deadlocks: number;
    tempBytes: number;
    blkReadTimeMs: number;
    blkWriteTimeMs: number;
    statsReset: string | null;
  };
  checkpoints: {
    source: 'pg_stat_checkpointer' | 'pg_stat_bgwriter';
    /** checkpoints performed where the server says so (PG 18 num_done), else timed + requested */
    done: number;
    timed: number;
    requested: number;
    buffersWritten: number;
    /** buffers written by the background writer */
    buffersClean: number;
    statsReset: string | null;
  };
  tables: Record<string, TableSnapshot>;
  statements: StatementsSnapshot;
}

export interface SnapshotOptions {
  /** wait until these backends' statistics are flushed first (see server-settle.ts) */
  settle?: SettleOptions;
  /** read pg_stat_statements (default true) */
  statements?: boolean;
}

type Json = Record<string, unknown>;
const n = (v: unknown): number => (typeof v === 'number' ? v : v == null ? 0 : Number(v));
const nOrNull = (v: unknown): number | null => (v == null ? null : n(v));
const sOrNull = (v: unknown): string | null => (v == null ? null : String(v));

/** Reads every figure the cost needs. Take the "after" one once the driver's connections are
 *  closed, with `settle` naming them, so that their last statistics are in. */
export async function snapshotServer(c: pg.ClientBase, schema: string, o: SnapshotOptions = {}): Promise<ServerSnapshot> {
  const settle = o.settle ? await waitForStatsFlush(c, o.settle) : undefined;
  // Outside a transaction each statement reads fresh statistics; clearing the snapshot as well
  // covers a caller that holds one open.
  await c.query(`${MEASURE_TAG} SELECT pg_stat_clear_snapshot()`);
  const version = await serverVersionNum(c);
  const takenAtMs = Date.now();

  const walRow = version >= 140000
    ? (await c.query<{ j: Json }>(`${MEASURE_TAG} SELECT to_jsonb(w) AS j FROM pg_stat_wal w`)).rows[0]?.j
    : undefined;
  const lsn = (await c.query<{ lsn: string | null }>(
    `${MEASURE_TAG} SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS lsn`,
  )).rows[0].lsn;

  const db = (await c.query<{ j: Json }>(
    `${MEASURE_TAG} SELECT to_jsonb(d) AS j FROM pg_stat_database d WHERE datname = current_database()`,
  )).rows[0]?.j ?? {};

  // PG 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
  const bgw = (await c.query<{ j: Json }>(`${MEASURE_TAG} SELECT to_jsonb(b) AS j FROM pg_stat_bgwriter b`)).rows[0].j;
  let checkpoints: ServerSnapshot['checkpoints'];
  if (version >= 170000) {
    const cp = (await c.query<{ j: Json }>(`${MEASURE_TAG} SELECT to_jsonb(x) AS j FROM pg_stat_checkpointer x`)).rows[0].j;
    checkpoints = {
      source: 'pg_stat_checkpointer',
      done: cp.num_done != null ? n(cp.num_done) : n(cp.num_timed) + n(cp.num_requested),
      timed: n(cp.num_timed),
      requested: n(cp.num_requested),
      buffersWritten: n(cp.buffers_written),
      buffersClean: n(bgw.buffers_clean),
      statsReset: sOrNull(cp.stats_reset),
    };
  } else {
    checkpoints = {
      source: 'pg_stat_bgwriter',
      done: n(bgw.checkpoints_timed) + n(bgw.checkpoints_req),
      timed: n(bgw.checkpoints_timed),
      requested: n(bgw.checkpoints_req),
      buffersWritten: n(bgw.buffers_checkpoint),
      buffersClean: n(bgw.buffers_clean),
      statsReset: sOrNull(bgw.stats_reset),
    };
  }

  // pg_relation_size and friends take an AccessShareLock: a non-concurrent REFRESH MATERIALIZED
  // VIEW in progress makes this wait for it, which is why the after snapshot belongs after the
  // strategy's jobs have stopped.
  const t = await c.query<{ relname: string; relkind: string; s: Json | null; io: Json | null; rel: string; tbl: string; idx: string }>(
    `${MEASURE_TAG} SELECT c.relname, c.relkind::text AS relkind, to_jsonb(s) AS s, to_jsonb(io) AS io,
            pg_relation_size(c.oid) AS rel, pg_table_size(c.oid) AS tbl, pg_indexes_size(c.oid) AS idx
       FROM pg_class c
       JOIN pg_namespace ns ON ns.oid = c.relnamespace
       LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
       LEFT JOIN pg_statio_all_tables io ON io.relid = c.oid
      WHERE ns.nspname = $1 AND c.relkind IN ('r', 'm', 'p')`,
    [schema],
  );
  const tables: Record<string, TableSnapshot> = {};
  for (const r of t.rows) {
    const s = r.s ?? {};
    const io = r.io ?? {};
    tables[r.relname] = {
      relkind: r.relkind,
      inserts: n(s.n_tup_ins),
      updates: n(s.n_tup_upd),
      hotUpdates: n(s.n_tup_hot_upd),
      newPageUpdates: nOrNull(s.n_tup_newpage_upd),
      deletes: n(s.n_tup_del),
      liveTuples: n(s.n_live_tup),
      deadTuples: n(s.n_dead_tup),
      autovacuumRuns: n(s.autovacuum_count),
      autoanalyzeRuns: n(s.autoanalyze_count),
      vacuumRuns: n(s.vacuum_count),
      analyzeRuns: n(s.analyze_count),
      seqScans: n(s.seq_scan),
      idxScans: n(s.idx_scan),
      heapBlksHit: n(io.heap_blks_hit),
      heapBlksRead: n(io.heap_blks_read),
      idxBlksHit: n(io.idx_blks_hit),
      idxBlksRead: n(io.idx_blks_read),
      toastBlksHit: n(io.toast_blks_hit),
      toastBlksRead: n(io.toast_blks_read),
      relationBytes: n(r.rel),
      tableBytes: n(r.tbl),
      indexesBytes: n(r.idx),
    };
  }

  const statements: StatementsSnapshot = o.statements === false
    ? { available: false, reason: 'not requested' }
    : await snapshotStatements(c);

  return {
    takenAtMs,
    schema,
    serverVersionNum: version,
    settle,
    wal: {
      bytes: walRow ? n(walRow.wal_bytes) : null,
      fpi: walRow ? n(walRow.wal_fpi) : null,
      records: walRow ? n(walRow.wal_records) : null,
      statsReset: walRow ? sOrNull(walRow.stats_reset) : null,
      lsn,
    },
    database: {
      blksHit: n(db.blks_hit),
      blksRead: n(db.blks_read),
      xactCommit: n(db.xact_commit),
      xactRollback: n(db.xact_rollback),
      deadlocks: n(db.deadlocks),
      tempBytes: n(db.temp_bytes),
      blkReadTimeMs: n(db.blk_read_time),
      blkWriteTimeMs: n(db.blk_write_time),
      statsReset: sOrNull(db.stats_reset),
    },
    checkpoints,
    tables,
    statements,
  };
}

export interface TableCost {
  name: string;
  kind: 'table' | 'materialized view' | 'partitioned table';
  inserts: number;
  updates: number;
  hotUpdates: number;
  nonHotUpdates: number;
  newPageUpdates: number | null;
  deletes: number;
  /** row versions the phase's updates and deletes left dead (n_tup_upd + n_tup_del). Aborted
   *  inserts also leave dead rows; pg_stat_all_tables does not tell them apart. */
  deadTuplesCreated: number;
  /** n_dead_tup at the end: what vacuum and page pruning had not cleaned up yet */
  deadTuplesAtEnd: number;
  autovacuumRuns: number;
  autoanalyzeRuns: number;
  vacuumRuns: number;
  analyzeRuns: number;
  seqScans: number;
  idxScans: number;
  heapBlksHit: number;
  heapBlksRead: number;
  idxBlksHit: number;
  idxBlksRead: number;
  relationBytes: { before: number; after: number; growth: number };
  tableBytes: { before: number; after: number; growth: number };
  indexesBytes: { before: number; after: number; growth: number };
}

// A type, not an interface, so that it is assignable to StrategyResult['server'] (a Record).
export type ServerCost = {
  /** WAL bytes per modifying operation (write + delete); contract name */
  walBytesPerWrite: number | null;
  /** dead row versions created per modifying operation; contract name */
  deadTuplesPerWrite: number | null;
  walFpiPerWrite: number | null;
  /** shared buffers touched (hit + read, whole database) per operation of any kind */
  buffersPerOp: number | null;
  /** from the lock sampler; contract name */
  lockWaits: LockWaitStats | null;
  /** time between the two snapshots */
  spanMs: number;
  ops: { writes: number; reads: number; deletes: number };
  wal: {
    /** pg_stat_wal when the server has it, else the LSN distance */
    source: 'pg_stat_wal' | 'lsn';
    bytes: number | null;
    fpi: number | null;
    records: number | null;
    /** distance between pg_current_wal_lsn() before and after: every byte of WAL the server wrote */
    lsnBytes: number | null;
  };
  deadTuplesCreated: number;
  database: {
    blksHit: number;
    blksRead: number;
    hitRatio: number | null;
    xactCommit: number;
    xactRollback: number;
    deadlocks: number;
    tempBytes: number;
    blkReadTimeMs: number;
    blkWriteTimeMs: number;
  };
  checkpoints: { source: string; count: number; timed: number; requested: number; buffersWritten: number; buffersClean: number };
  totals: {
    inserts: number;
    updates: number;
    hotUpdates: number;
    nonHotUpdates: number;
    deletes: number;
    autovacuumRuns: number;
    autoanalyzeRuns: number;
    tableBytesGrowth: number;
    indexesBytesGrowth: number;
  };
  tables: TableCost[];
  statements: StatementsCost;
  /** what limits these figures in this run (statistics not settled, a reset during the phase) */
  notes: string[];
};

export interface OpCounts {
  /** acknowledged writes (inserts) of the phase */
  writes: number;
  /** acknowledged reads */
  reads: number;
  /** acknowledged deletes; they write too, so per-write figures divide by writes + deletes */
  deletes?: number;
  lockWaits?: LockWaitStats | null;
}

const per = (x: number | null, d: number, digits: number): number | null => {
  if (x == null || d <= 0) return null;
  const f = 10 ** digits;
  return Math.round((x / d) * f) / f;
};

function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt('0x' + hi) << 32n) + BigInt('0x' + lo);
}

const kindOf = (relkind: string): TableCost['kind'] =>
  relkind === 'm' ? 'materialized view' : relkind === 'p' ? 'partitioned table' : 'table';

export function diffServer(before: ServerSnapshot, after: ServerSnapshot, ops: OpCounts): ServerCost {
  const notes: string[] = [];
  const deletes = ops.deletes ?? 0;
  const modifying = ops.writes + deletes;
  const allOps = ops.writes + ops.reads + deletes;
  if (after.settle && !after.settle.settled) {
    notes.push(`statistics of ${after.settle.pending} driver backend(s) were not known to be flushed after ${after.settle.waitedMs} ms; table counts may be short`);
  }

  const walReset = before.wal.statsReset !== after.wal.statsReset;
  if (walReset) notes.push('pg_stat_wal was reset during the phase; WAL from the LSN distance');
  const lsnBytes = before.wal.lsn && after.wal.lsn ? Number(lsnToBigInt(after.wal.lsn) - lsnToBigInt(before.wal.lsn)) : null;
  const walStats = before.wal.bytes != null && after.wal.bytes != null && !walReset;
  const wal: ServerCost['wal'] = walStats
    ? {
        source: 'pg_stat_wal',
        bytes: after.wal.bytes! - before.wal.bytes!,
        fpi: after.wal.fpi! - before.wal.fpi!,
        records: after.wal.records! - before.wal.records!,
        lsnBytes,
      }
    : { source: 'lsn', bytes: lsnBytes, fpi: null, records: null, lsnBytes };

  const dbReset = before.database.statsReset !== after.database.statsReset;
  if (dbReset) notes.push('pg_stat_database was reset during the phase; database figures are from the reset on');
  const d = (k: Exclude<keyof ServerSnapshot['database'], 'statsReset'>) =>
    dbReset ? after.database[k] : after.database[k] - before.database[k];
  const blksHit = d('blksHit');
  const blksRead = d('blksRead');
  const database: ServerCost['database'] = {
    blksHit,
    blksRead,
    hitRatio: blksHit + blksRead > 0 ? Math.round((blksHit / (blksHit + blksRead)) * 10000) / 10000 : null,
    xactCommit: d('xactCommit'),
    xactRollback: d('xactRollback'),
    deadlocks: d('deadlocks'),
    tempBytes: d('tempBytes'),
    blkReadTimeMs: Math.round(d('blkReadTimeMs') * 1000) / 1000,
    blkWriteTimeMs: Math.round(d('blkWriteTimeMs') * 1000) / 1000,
  };

  const cpReset = before.checkpoints.statsReset !== after.checkpoints.statsReset;
  if (cpReset) notes.push(`${after.checkpoints.source} was reset during the phase; checkpoint figures are from the reset on`);
  const cp = (k: 'done' | 'timed' | 'requested' | 'buffersWritten' | 'buffersClean') =>
    cpReset ? after.checkpoints[k] : after.checkpoints[k] - before.checkpoints[k];
  const checkpoints = {
    source: after.checkpoints.source,
    count: cp('done'),
    timed: cp('timed'),
    requested: cp('requested'),
    buffersWritten: cp('buffersWritten'),
    buffersClean: cp('buffersClean'),
  };

  const tables: TableCost[] = [];
  for (const name of Object.keys(after.tables).sort()) {
    const a = after.tables[name];
    // A table created during the phase (or a counter that went backwards: the table was
    // dropped and re-created, or its statistics reset) counts from zero.
    let b: TableSnapshot | undefined = before.tables[name];
    if (b && (a.inserts < b.inserts || a.updates < b.updates || a.deletes < b.deletes)) {
      notes.push(`statistics of ${name} went backwards during the phase (reset or re-created); counted from zero`);
      b = undefined;
    }
    const z = (k: keyof TableSnapshot): number => (a[k] as number) - (b ? (b[k] as number) : 0);
    const updates = z('updates');
    const hotUpdates = z('hotUpdates');
    const deletesT = z('deletes');
    const bytes = (k: 'relationBytes' | 'tableBytes' | 'indexesBytes') => {
      const was = before.tables[name]?.[k] ?? 0;
      return { before: was, after: a[k], growth: a[k] - was };
    };
    tables.push({
      name,
      kind: kindOf(a.relkind),
      inserts: z('inserts'),
      updates,
      hotUpdates,
      nonHotUpdates: updates - hotUpdates,
      newPageUpdates: a.newPageUpdates == null ? null : a.newPageUpdates - (b?.newPageUpdates ?? 0),
      deletes: deletesT,
      deadTuplesCreated: updates + deletesT,
      deadTuplesAtEnd: a.deadTuples,
      autovacuumRuns: z('autovacuumRuns'),
      autoanalyzeRuns: z('autoanalyzeRuns'),
      vacuumRuns: z('vacuumRuns'),
      analyzeRuns: z('analyzeRuns'),
      seqScans: z('seqScans'),
      idxScans: z('idxScans'),
      heapBlksHit: z('heapBlksHit'),
      heapBlksRead: z('heapBlksRead'),
      idxBlksHit: z('idxBlksHit'),
      idxBlksRead: z('idxBlksRead'),
      relationBytes: bytes('relationBytes'),
      tableBytes: bytes('tableBytes'),
      indexesBytes: bytes('indexesBytes'),
    });
  }
  const sum = (f: (t: TableCost) => number) => tables.reduce((s, t) => s + f(t), 0);
  const totals = {
    inserts: sum((t) => t.inserts),
    updates: sum((t) => t.updates),
    hotUpdates: sum((t) => t.hotUpdates),
    nonHotUpdates: sum((t) => t.nonHotUpdates),
    deletes: sum((t) => t.deletes),
    autovacuumRuns: sum((t) => t.autovacuumRuns),
    autoanalyzeRuns: sum((t) => t.autoanalyzeRuns),
    tableBytesGrowth: sum((t) => t.tableBytes.growth),
    indexesBytesGrowth: sum((t) => t.indexesBytes.growth),
  };
  const deadTuplesCreated = sum((t) => t.deadTuplesCreated);

  return {
    walBytesPerWrite: per(wal.bytes, modifying, 1),
    deadTuplesPerWrite: per(deadTuplesCreated, modifying, 4),
    walFpiPerWrite: per(wal.fpi, modifying, 4),
    buffersPerOp: per(blksHit + blksRead, allOps, 2),
    lockWaits: ops.lockWaits ?? null,
    spanMs: after.takenAtMs - before.takenAtMs,
    ops: { writes: ops.writes, reads: ops.reads, deletes },
    wal,
    deadTuplesCreated,
    database,
    checkpoints,
    totals,
    tables,
    statements: diffStatements(before.statements, after.statements),
    notes,
  };
}
