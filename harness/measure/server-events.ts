// Background work of the server during a strategy's phase, as events on the run's time axis:
// checkpoints, and autovacuum / autoanalyze of the strategy's tables. Counts of them are in the
// server cost; this says when, so the report can put them beside the drift and latency lines.
import type pg from 'pg';
import { MEASURE_TAG } from './server-statements.ts';
import { MEASURE_APP_PREFIX, runSamplerLoop } from './sampler-loop.ts';

export interface ServerEvent {
  kind: 'checkpoint' | 'autovacuum' | 'autoanalyze';
  /** epoch ms it began (for checkpoints: when the sampler saw its counter move) */
  at: number;
  durationMs: number;
  detail?: string;
}

interface Running {
  kind: ServerEvent['kind'];
  at: number;
  detail: string;
  seen: boolean;
}

// PG 17 moved the checkpoint counters to pg_stat_checkpointer; a view that does not exist fails
// the whole statement, so the query is chosen by version.
const CHECKPOINTS_17 = `${MEASURE_TAG} SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer`;
const CHECKPOINTS_OLD = `${MEASURE_TAG} SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter`;

// autovacuum workers show their target in query: "autovacuum: VACUUM ANALYZE schema.table"
const WORKERS = `${MEASURE_TAG}
SELECT pid, query, (extract(epoch FROM xact_start) * 1000)::float8 AS started
FROM pg_stat_activity
WHERE backend_type = 'autovacuum worker' AND query LIKE 'autovacuum: %' AND strpos(query, $1) > 0`;

const COUNTS = `${MEASURE_TAG}
SELECT relname, autovacuum_count::int AS v, autoanalyze_count::int AS a FROM pg_stat_all_tables WHERE schemaname = $1`;

export interface ServerEventSampler {
  stop(): Promise<ServerEvent[]>;
  /** samples that failed; their events may be missing */
  errors(): { count: number; last?: string };
}

export function startServerEventSampler(url: string, schema: string, intervalMs = 250): ServerEventSampler {
  const events: ServerEvent[] = [];
  const running = new Map<string, Running>();
  let checkpoints: number | null = null;
  let counts: Map<string, { v: number; a: number }> | null = null;
  let checkpointsSql: string | undefined;

  const tick = async (c: pg.Client) => {
    const now = Date.now();
    if (!checkpointsSql) {
      const v = Number((await c.query<{ v: string }>(`${MEASURE_TAG} SELECT current_setting('server_version_num') AS v`)).rows[0].v);
      checkpointsSql = v >= 170000 ? CHECKPOINTS_17 : CHECKPOINTS_OLD;
    }
    const cp = Number((await c.query<{ n: string }>(checkpointsSql)).rows[0].n);
    if (checkpoints !== null && cp > checkpoints) events.push({ kind: 'checkpoint', at: now, durationMs: 0, detail: `${cp - checkpoints} checkpoint(s)` });
    checkpoints = cp;

    for (const r of running.values()) r.seen = false;
    for (const w of (await c.query<{ pid: number; query: string; started: number }>(WORKERS, [`${schema}.`])).rows) {
      const key = `${w.pid}:${w.query}`;
      const known = running.get(key);
      if (known) known.seen = true;
      else running.set(key, { kind: /VACUUM/.test(w.query) ? 'autovacuum' : 'autoanalyze', at: Math.round(w.started || now), detail: w.query.replace(/^autovacuum:\s*/, ''), seen: true });
    }
    for (const [key, r] of running) {
      if (r.seen) continue;
      events.push({ kind: r.kind, at: r.at, durationMs: Math.max(0, now - r.at), detail: r.detail });
      running.delete(key);
    }

    // runs too short to be caught in pg_stat_activity still move the per-table counters
    const next = new Map<string, { v: number; a: number }>();
    for (const r of (await c.query<{ relname: string; v: number; a: number }>(COUNTS, [schema])).rows) next.set(r.relname, { v: r.v, a: r.a });
    if (counts) {
      for (const [rel, n] of next) {
        const was = counts.get(rel);
        if (!was) continue;
        const caught = (kind: ServerEvent['kind']) => events.some((e) => e.kind === kind && e.detail?.includes(`${schema}.${rel}`) && e.at >= now - 2 * intervalMs);
        if (n.v > was.v && !caught('autovacuum')) events.push({ kind: 'autovacuum', at: now, durationMs: 0, detail: `${schema}.${rel}` });
        if (n.a > was.a && !caught('autoanalyze')) events.push({ kind: 'autoanalyze', at: now, durationMs: 0, detail: `${schema}.${rel}` });
      }
    }
    counts = next;
  };

  const loop = runSamplerLoop({ url, applicationName: `${MEASURE_APP_PREFIX}:server-events` }, intervalMs, tick);
  return {
    async stop() {
      await loop.stop({ final: true });
      const end = Date.now();
      for (const r of running.values()) events.push({ kind: r.kind, at: r.at, durationMs: end - r.at, detail: `${r.detail} (still running)` });
      return events.sort((a, b) => a.at - b.at);
    },
    errors: () => loop.errors(),
  };
}
