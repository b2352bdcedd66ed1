// `check --serve`: the health check as a Prometheus exporter. It checks every interval (one at a
// time: a check that outlasts the interval delays the next) and exports what the last check found,
// replacing the analysis's hourly cron job that appended to a log nobody alerts on.
//
// A check reads one REPEATABLE READ READ ONLY snapshot: it takes only the ACCESS SHARE lock every
// SELECT takes, so inserts never wait for it. lock_timeout keeps it from queueing behind a
// migration's ACCESS EXCLUSIVE lock, where it would hold back every insert queued after it.
//
// Full mode scans every answer (three aggregations). Incremental mode (--incremental) checks only
// the users and sessions of the answers added since the last check (by id, through the primary
// key), exactly, with their whole history: new drift is seen at a cost that follows the write
// rate, not the table size. It cannot see drift of users nobody writes to any more, nor deletes
// (they add no id): run a full check now and then for those.
//
// When the database goes away the exporter keeps serving: counterbench_check_up drops to 0, the
// failure is counted and named, the consistency series are withdrawn (stale figures would look
// current), and the next check reconnects.
import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { CounterCheck } from './check.ts';
import { checkShape } from './check.ts';
import { connectHealth, safeMessage } from './connect.ts';
import { COUNTERS, inspectSchema, qualified, requireSomeCounter, requireTruthTables, type CounterDef } from './tables.ts';
import { inTransaction } from './transaction.ts';
import { UsageError } from '../errors.ts';
import { ANALYSIS_METRICS, OWN_METRICS } from '../metrics/names.ts';

/** Answers below the last id seen that the next check looks at again: an answer whose id was
 *  taken before the last check's snapshot may commit after it. */
export const RECHECK_IDS = 1000;

export interface ExporterOptions {
  url: string;
  schema: string;
  counters?: readonly CounterDef[];
  intervalMs: number;
  /** incremental mode; the first check looks at the users of the last `recent` answers, each
   *  later one at those of the answers from `recheckIds` (default RECHECK_IDS) below the last id
   *  seen */
  incremental?: { recent: number; recheckIds?: number };
  /** a check that takes longer is cancelled and counted as failed (default: the interval, at
   *  most 10 minutes) */
  timeoutMs?: number;
}

export interface CheckOutcome {
  ok: boolean;
  durationMs: number;
  counters?: CounterCheck[];
  /** incremental: the answer ids the check covered */
  answerIds?: { after: number; upTo: number };
  /** why it failed: the reason label (connection, timeout, lock-timeout, schema, error) */
  error?: string;
  /** the failure's message, without secrets */
  message?: string;
}

export interface Exporter {
  readonly registry: Registry;
  /** the first check, made before serving: a failure here is bad input (exit 2) */
  first(): Promise<CheckOutcome>;
  /** checks every interval until stopped; each outcome goes to onCheck */
  start(onCheck?: (o: CheckOutcome) => void): void;
  /** one check now (tests, and the loop) */
  checkOnce(): Promise<CheckOutcome>;
  stop(): Promise<void>;
}

/** Why a check failed, as a short label value for counterbench_check_last_error_info. */
function reasonOf(e: unknown): string {
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? '';
  if (code === '57014') return 'timeout';
  if (code === '55P03') return 'lock-timeout';
  if (code.startsWith('08') || code === '57P01' || /ECONNREFUSED|ECONNRESET|terminat|Connection|connect/i.test(msg)) return 'connection';
  if (code === '42P01' || code === '42703' || e instanceof UsageError) return 'schema';
  return 'error';
}

export function createExporter(o: ExporterOptions): Exporter {
  const registry = new Registry();
  const counters = o.counters ?? COUNTERS;
  const schema = o.schema;
  const timeoutMs = o.timeoutMs ?? Math.min(o.intervalMs, 600_000);
  const perCounter = (name: string, help: string) => new Gauge({ name, help, labelNames: ['schema', 'counter'], registers: [registry] });
  const g = {
    inconsistent: perCounter(ANALYSIS_METRICS.inconsistentCounters, 'Counters (users, or sessions) whose value differs from the COUNT(*) of their answer rows, at the last check'),
    rate: perCounter(ANALYSIS_METRICS.consistencyRate, 'Share of the checked users (sessions) whose counter matches its rows, 0-1'),
    lost: perCounter(OWN_METRICS.lost, 'Increments missing from the counters: sum over keys of max(rows - counter, 0)'),
    extra: perCounter(OWN_METRICS.extra, 'Increments the counters have beyond their rows: sum over keys of max(counter - rows, 0)'),
    drift: perCounter(OWN_METRICS.drift, 'extra - lost at the last check'),
    users: perCounter(OWN_METRICS.checkUsers, 'Users (sessions) the last check compared: all of them, or in incremental mode those of the new answers'),
    up: new Gauge({ name: OWN_METRICS.checkUp, help: '1 when the last check succeeded, 0 when it failed', labelNames: ['schema'], registers: [registry] }),
    duration: new Gauge({ name: OWN_METRICS.checkDuration, help: 'How long the last check took, seconds', labelNames: ['schema'], registers: [registry] }),
    lastOk: new Gauge({ name: OWN_METRICS.checkLastSuccess, help: 'Unix time of the last check that succeeded', labelNames: ['schema'], registers: [registry] }),
    failures: new Counter({ name: OWN_METRICS.checkFailures, help: 'Checks that failed, by reason', labelNames: ['schema', 'reason'], registers: [registry] }),
    lastError: new Gauge({ name: OWN_METRICS.checkLastError, help: '1 for the reason the last check failed (connection, timeout, lock-timeout, schema, error); none after a success', labelNames: ['schema', 'reason'], registers: [registry] }),
  };
  let client: pg.Client | undefined;
  let watermark: number | undefined;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const connect = async (): Promise<pg.Client> => {
    if (client) return client;
    const c = await connectHealth(o.url);
    c.on('error', () => {
      // the next check finds the connection gone and starts over
      if (client === c) client = undefined;
    });
    await c.query(`SET application_name = 'counterbench-exporter'; SET lock_timeout = '1s'; SET statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    client = c;
    return c;
  };

  const runCheck = async (): Promise<{ counters: CounterCheck[]; answerIds?: CheckOutcome['answerIds'] }> => {
    const c = await connect();
    return inTransaction(c, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async () => {
      const shape = await inspectSchema(c, schema);
      requireTruthTables(shape);
      requireSomeCounter(shape, counters);
      if (!o.incremental) return { counters: await checkShape(c, shape, { counters, examples: 0 }) };
      if (!shape.tables.get('user_answers_new')?.has('id')) throw new UsageError(`--incremental: ${schema}.user_answers_new has no id column to follow new answers by`);
      const r = await c.query<{ max: string | null }>(`SELECT max(id) AS max FROM ${qualified(schema, 'user_answers_new')}`);
      const upTo = Number(r.rows[0].max ?? 0);
      const after = watermark === undefined ? upTo - o.incremental!.recent : Math.min(watermark, upTo) - (o.incremental!.recheckIds ?? RECHECK_IDS);
      const checked = await checkShape(c, shape, { counters, examples: 0, afterAnswerId: after });
      watermark = upTo;
      return { counters: checked, answerIds: { after, upTo } };
    });
  };

  const record = (out: CheckOutcome) => {
    g.duration.set({ schema }, out.durationMs / 1000);
    g.up.set({ schema }, out.ok ? 1 : 0);
    g.lastError.reset();
    for (const m of [g.inconsistent, g.rate, g.lost, g.extra, g.drift, g.users]) m.reset();
    if (!out.ok) {
      const reason = out.error!;
      g.failures.inc({ schema, reason });
      g.lastError.set({ schema, reason }, 1);
      return;
    }
    g.lastOk.set({ schema }, Date.now() / 1000);
    for (const k of out.counters!) {
      if (!k.present) continue;
      const l = { schema, counter: k.name };
      g.inconsistent.set(l, k.usersInconsistent);
      g.rate.set(l, k.usersChecked === 0 ? 1 : k.usersConsistent / k.usersChecked);
      g.lost.set(l, k.lost);
      g.extra.set(l, k.extra);
      g.drift.set(l, k.extra - k.lost);
      g.users.set(l, k.usersChecked);
    }
  };

  const checkOnce = async (): Promise<CheckOutcome> => {
    const t0 = performance.now();
    let out: CheckOutcome;
    try {
      const r = await runCheck();
      out = { ok: true, durationMs: performance.now() - t0, ...r };
    } catch (e) {
      // a connection in an unknown state is not reused
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      out = { ok: false, durationMs: performance.now() - t0, error: reasonOf(e), message: safeMessage(e, o.url) };
    }
    record(out);
    return out;
  };

  return {
    registry,
    async first() {
      const t0 = performance.now();
      // bad input at the start is one clear message and exit 2, not a failure metric
      try {
        const r = await runCheck();
        const out: CheckOutcome = { ok: true, durationMs: performance.now() - t0, ...r };
        record(out);
        return out;
      } catch (e) {
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
        if (e instanceof UsageError) throw e;
        throw new UsageError(`the first check failed: ${safeMessage(e, o.url)}`);
      }
    },
    checkOnce,
    start(onCheck) {
      const loop = () => {
        if (stopping) return;
        timer = setTimeout(() => {
          running = checkOnce().then((out) => {
            onCheck?.(out);
            loop();
          });
        }, o.intervalMs);
      };
      loop();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
