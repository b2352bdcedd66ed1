// The REFRESH phase: how long REFRESH MATERIALIZED VIEW takes against the rows under the view,
// and what it does to the view's readers. The view is deployed at the first size; REFRESH is timed
// there, then the answers are grown to each next size (server-side, no trigger to slow it) and
// timed again; then the run engine drives the scenario's load (reads of the view, writes) at the
// largest size while the refresh job runs, so a read that arrives during a REFRESH waits for it.
import type pg from 'pg';
import { connectPg } from '../../db/connect.ts';
import { runScenario } from '../../run/scenario-run.ts';
import { median } from '../../run/aggregate.ts';
import type { RefreshScaling, StrategyResult } from '../../results/types.ts';
import { analysisClaim } from '../../../reports/analysis.ts';
import { engineOptions, type PhaseRunner } from '../phase-context.ts';
import { fitLine } from '../fit.ts';

/** Answers added round-robin over every session, as the seed spreads them. */
async function growTo(c: pg.Client, rows: number): Promise<number> {
  const have = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM user_answers_new')).rows[0].n);
  if (have >= rows) return have;
  const sessions = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM onboarding_sessions')).rows[0].n);
  await c.query(
    `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length, answered_at)
     SELECT 1 + (i % $2::int), 'grown', 'grown answer', 12, now() - interval '1 day' FROM generate_series(1, $1::int) i`,
    [rows - have, sessions],
  );
  // the planner and the visibility map as after the seed, so each size's REFRESH plans alike
  await c.query('VACUUM ANALYZE user_answers_new');
  return rows;
}

/** The longest REFRESH under load and the slowest read of the view in the same phase. */
function readersOf(s: StrategyResult | undefined): RefreshScaling['readers'] {
  const reads = s?.ops.read;
  const refreshes = (s?.events ?? []).filter((e) => e.kind === 'mv-refresh' && !e.error);
  if (!s || !reads || !refreshes.length) return null;
  const longest = Math.max(...refreshes.map((e) => e.durationMs));
  const typical = median(refreshes.map((e) => e.durationMs));
  // a read that arrives as a non-concurrent REFRESH takes its ACCESS EXCLUSIVE lock waits for the
  // whole of it: the slowest read then spans most of a typical REFRESH (the longest may be the
  // last one, in the drain, when no reader is left)
  return { reads: reads.count, slowestMs: reads.latencyMs.max, longestRefreshMs: longest, refreshes: refreshes.length, blocked: reads.latencyMs.max >= 0.8 * typical };
}

export const refreshPhase: PhaseRunner = async (phase, c) => {
  const spec = phase.refresh!;
  const s = phase.scenario!;
  const sql = s.options.mvRefreshConcurrently ? 'REFRESH MATERIALIZED VIEW CONCURRENTLY user_answer_stats' : 'REFRESH MATERIALIZED VIEW user_answer_stats';
  const points: RefreshScaling['points'] = [];
  const r = await runScenario(c.targets, s, {
    ...engineOptions(phase, c),
    withBaseline: false,
    afterDeploy: async (entries) => {
      const e = entries.find((x) => x.strategy.id === 'materialized-view');
      if (!e || e.result.status !== 'ok') throw new Error(`materialized-view did not deploy: ${e?.result.reason ?? 'not planned'}`);
      const conn = await connectPg(c.targets.pg.url, { schema: e.ctx.schema, applicationName: 'counterbench:refresh-timing' });
      try {
        for (const size of spec.sizes) {
          if (c.signal?.aborted) return;
          const rows = await growTo(conn, size);
          const times: number[] = [];
          for (let k = 0; k < spec.timings; k++) {
            const t0 = performance.now();
            await conn.query(sql);
            times.push(Math.round((performance.now() - t0) * 10) / 10);
          }
          c.log(`  REFRESH at ${rows} rows: ${times.map((t) => `${t} ms`).join(', ')}`);
          points.push({ rows, users: s.data.users, refreshMs: times, medianMs: median(times) });
        }
      } finally {
        await conn.end().catch(() => {});
      }
    },
  });
  const rule = analysisClaim('mv-refresh-blocks').rule;
  const minMs = rule.kind === 'refresh-blocks' ? rule.minMs : 10_000;
  const fit = fitLine(points.map((p) => [p.rows / 1e6, p.medianMs]));
  const refresh: RefreshScaling = {
    strategy: 'materialized-view',
    concurrently: s.options.mvRefreshConcurrently,
    points,
    fit: fit && { interceptMs: fit.intercept, msPerMillionRows: fit.slope, r2: fit.r2 },
    reaches: { ms: minMs, rows: fit && fit.slope > 0 ? Math.ceil(((minMs - fit.intercept) / fit.slope) * 1e6) : null },
    readers: readersOf(r.strategies.find((x) => x.id === 'materialized-view')),
  };
  return { scenario: { ...s, data: { ...s.data, answersPerUser: Math.floor((points.at(-1)?.rows ?? 0) / s.data.users) } }, strategies: r.strategies, thresholds: r.run.thresholds, refresh };
};
