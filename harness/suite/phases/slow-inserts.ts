// Problem 2 of the analysis, reproduced: slow inserts, with its own diagnosis queries running
// during the load. Two cases through the run engine on Migration 007's trigger: contention (many
// clients on a few hot users: what the analysis calls advisory-lock contention) and a missing
// index (the analysis's idx_answers_session dropped). While each runs, a sampler asks what the
// analysis tells an operator to ask: pg_indexes, pg_locks for advisory locks not granted, and
// pg_stat_activity. 007's pg_try_advisory_xact_lock never waits, so the advisory query can show
// nothing; what the sampler sees instead is said in the finding.
import type pg from 'pg';
import { connectPg } from '../../db/connect.ts';
import { runScenario } from '../../run/scenario-run.ts';
import { REQUIRED_INDEXES } from '../../health/index.ts';
import { worstLost } from '../../../reports/figures.ts';
import type { Results, SlowInsertsCase, SlowInsertsStory, StrategyResult } from '../../results/types.ts';
import { engineOptions, type PhaseContext, type PhaseRunner } from '../phase-context.ts';
import type { SuitePhaseSpec } from '../types.ts';

const SAMPLE_MS = 100;

// The analysis's three queries, kept to this phase's schema and backends so that another run on
// the same server cannot show up in them.
const INDEXES_SQL = `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1`;
const ADVISORY_SQL = `SELECT count(*) FILTER (WHERE NOT l.granted)::int AS waiting, count(*) FILTER (WHERE l.granted)::int AS held
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND a.application_name LIKE $1`;
const ACTIVITY_SQL = `SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`;

type Diagnosis = SlowInsertsCase['diagnosis'];

interface Sampler {
  stop(): Promise<Diagnosis>;
}

function startDiagnosis(url: string, schema: string, appPrefix: string): Sampler {
  const d: Diagnosis = { samples: 0, indexes: [], advisoryNotGranted: { max: 0, samples: 0 }, advisoryGrantedMax: 0, activity: { active: 0, waiting: {} } };
  const like = `${appPrefix}%`;
  let stopped = false;
  let conn: pg.Client | undefined;
  const sample = async (c: pg.Client) => {
    const idx = await c.query<{ tablename: string; indexname: string; indexdef: string }>(INDEXES_SQL, [schema]);
    d.indexes = REQUIRED_INDEXES.map((req) => ({
      name: req.name,
      table: req.table,
      present: idx.rows.some((i) => i.tablename === req.table && i.indexdef.replace(/\s/g, '').includes(`(${req.columns.join(',')})`)),
    }));
    const adv = (await c.query<{ waiting: number; held: number }>(ADVISORY_SQL, [like])).rows[0];
    if (adv.waiting > 0) d.advisoryNotGranted.samples++;
    d.advisoryNotGranted.max = Math.max(d.advisoryNotGranted.max, adv.waiting);
    d.advisoryGrantedMax = Math.max(d.advisoryGrantedMax, adv.held);
    for (const a of (await c.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(ACTIVITY_SQL, [like])).rows) {
      if (a.state !== 'active') continue;
      d.activity.active++;
      if (a.wait_event_type && a.wait_event_type !== 'Client') {
        const k = `${a.wait_event_type}:${a.wait_event}`;
        d.activity.waiting[k] = (d.activity.waiting[k] ?? 0) + 1;
      }
    }
    d.samples++;
  };
  const loop = (async () => {
    conn = await connectPg(url, { applicationName: 'counterbench:diagnosis' });
    while (!stopped) {
      await sample(conn);
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      try {
        await loop;
      } finally {
        await conn?.end().catch(() => {});
      }
      return d;
    },
  };
}

async function runCase(phase: SuitePhaseSpec, c: PhaseContext, id: SlowInsertsCase['id']): Promise<{ c: SlowInsertsCase; strategies: StrategyResult[]; results: Results }> {
  const s = phase.scenario!;
  let sampler: Sampler | undefined;
  let diagnosis: Diagnosis | undefined;
  const what =
    id === 'contention'
      ? `${loadText(phase)}: the writers of each hot user meet on 007's advisory lock key and on its counter rows`
      : `idx_answers_session dropped (the index the analysis's diagnosis looks for), then the same load`;
  const opts = engineOptions({ ...phase, name: `${phase.name}-${id}` }, c);
  const results = await runScenario(c.targets, s, {
    ...opts,
    withBaseline: false,
    afterDeploy: async (entries) => {
      const e = entries[0];
      if (e.result.status !== 'ok') throw new Error(`${e.strategy.id} did not deploy: ${e.result.reason}`);
      if (id === 'missing-index') {
        const conn = await connectPg(c.targets.pg.url, { schema: e.ctx.schema, applicationName: 'counterbench:drop-index' });
        try {
          await conn.query('DROP INDEX idx_answers_session');
        } finally {
          await conn.end().catch(() => {});
        }
      }
      sampler = startDiagnosis(c.targets.pg.url, e.ctx.schema, `counterbench:${e.strategy.id}`);
    },
    afterRounds: async () => {
      diagnosis = await sampler?.stop();
      sampler = undefined;
    },
  }).finally(async () => {
    // a load that broke still stops its sampler
    await sampler?.stop().catch(() => {});
  });
  const st = results.strategies[0];
  const w = st?.ops.write;
  return {
    results,
    strategies: results.strategies.map((x) => ({ ...x, title: `${x.title} (${id})` })),
    c: {
      id,
      title: id === 'contention' ? 'Contention on hot users' : 'A missing index',
      what,
      strategy: st?.id ?? 'production-trigger',
      writes: w?.count ?? 0,
      writeP50Ms: w?.latencyMs.p50 ?? null,
      writeP99Ms: w?.latencyMs.p99 ?? null,
      deleteP99Ms: st?.ops.delete?.latencyMs.p99 ?? null,
      lost: worstLost(st?.drift) ?? 0,
      diagnosis: diagnosis ?? { samples: 0, indexes: [], advisoryNotGranted: { max: 0, samples: 0 }, advisoryGrantedMax: 0, activity: { active: 0, waiting: {} } },
    },
  };
}

function loadText(phase: SuitePhaseSpec): string {
  const s = phase.scenario!;
  const keys = s.keys.kind === 'hotset' ? `${Math.round(s.keys.hotShare * 100)}% of operations on ${s.keys.hotUsers} hot users` : `${s.keys.kind} keys`;
  return `${s.load.clients} clients, ${keys} of ${s.data.users}`;
}

const top = (waits: Record<string, number>, n: number) =>
  Object.entries(waits)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);

/** What the diagnosis showed, in a sentence per case. */
function findingOf(cases: SlowInsertsCase[]): string {
  const out: string[] = [];
  const con = cases.find((x) => x.id === 'contention');
  if (con) {
    const d = con.diagnosis;
    const waits = top(d.activity.waiting, 3).map(([k, n]) => `${k} in ${n} backend-samples`);
    out.push(
      `Under contention, pg_locks showed ${d.advisoryNotGranted.max === 0 ? 'no advisory lock waiting' : `up to ${d.advisoryNotGranted.max} advisory locks waiting`} in ${d.samples} samples, ` +
        `while up to ${d.advisoryGrantedMax} were held at once: 007's pg_try_advisory_xact_lock never waits, a second writer of the same user skips every counter instead ` +
        `(${con.lost} increments lost). What pg_stat_activity showed instead: ${waits.length ? waits.join(', ') : 'no wait at all'} of ${d.activity.active} active backend-samples.`,
    );
  }
  const idx = cases.find((x) => x.id === 'missing-index');
  if (idx && con) {
    const missing = idx.diagnosis.indexes.filter((i) => !i.present).map((i) => i.name);
    out.push(
      `With ${missing.length ? missing.join(', ') : 'no index'} missing (pg_indexes showed it), write p99 went from ${fmt(con.writeP99Ms)} to ${fmt(idx.writeP99Ms)} and delete p99 from ${fmt(con.deleteP99Ms)} to ${fmt(idx.deleteP99Ms)}: ` +
        'the index serves the DELETE of a session\'s latest answer and COUNT(*) reads, not the INSERT.',
    );
  }
  return out.join(' ');
}

const fmt = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);

export const slowInsertsPhase: PhaseRunner = async (phase, c) => {
  const a = await runCase(phase, c, 'contention');
  const b = await runCase(phase, c, 'missing-index');
  const story: SlowInsertsStory = { cases: [a.c, b.c], finding: findingOf([a.c, b.c]) };
  return { scenario: phase.scenario, strategies: [...a.strategies, ...b.strategies], slowInserts: story };
};
