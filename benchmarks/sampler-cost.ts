// What the samplers cost the load they watch: a bare INSERT loop for a few seconds without any
// sampler, with the drift sampler at 5 Hz and 20 Hz, and with the lock sampler at 40 Hz, in
// interleaved rounds. Prints throughput; asserts nothing (a benchmark, not a test).
//
//   npm run bench:samplers -- [seconds-per-run] [rounds]
//
// Uses DATABASE_URL when set (creating and dropping one counterbench_ schema there), else an
// embedded PostgreSQL.
import crypto from 'node:crypto';
import pg from 'pg';
import { openPostgres } from '../harness/provision/postgres.ts';
import { sqlFile } from '../harness/sql.ts';
import { startDriftSampler } from '../harness/measure/drift-sampler.ts';
import { startLockSampler } from '../harness/measure/lock-sampler.ts';

const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 5);
const WORKERS = 4;
const USERS = 10_000;

const target = await openPostgres({ databaseUrl: process.env.DATABASE_URL });
const schema = `counterbench_samplercost_${crypto.randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: target.url, application_name: 'counterbench-measure:cost' });
await admin.connect();

try {
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  await admin.query(sqlFile('schema.sql'));
  await admin.query(`INSERT INTO users (id) SELECT g FROM generate_series(1, ${USERS}) g`);
  await admin.query(`INSERT INTO onboarding_sessions (id, user_id) SELECT g, g FROM generate_series(1, ${USERS}) g`);
  await admin.query(`INSERT INTO user_stats (user_id) SELECT g FROM generate_series(1, ${USERS}) g`);
  await admin.query(sqlFile('schema-constraints.sql'));
  await admin.query(`VACUUM ANALYZE users, onboarding_sessions, user_stats`);

  const workers: pg.Client[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const c = new pg.Client({ connectionString: target.url, application_name: 'counterbench:samplercost' });
    await c.connect();
    await c.query(`SET search_path = ${schema}`);
    // Without waiting for the WAL flush at each commit the loop is bound by CPU, which is what a
    // sampler competes for; fsync latency would only add noise.
    await c.query(`SET synchronous_commit = off`);
    workers.push(c);
  }
  let acked = 0;

  const load = async (ms: number): Promise<number> => {
    const until = Date.now() + ms;
    let done = 0;
    await Promise.all(workers.map(async (c, w) => {
      let i = 0;
      while (Date.now() < until) {
        await c.query(
          `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ($1, $2, 'an answer', 9)`,
          [((w * 7919 + i++ * 104729) % USERS) + 1, 'q'],
        );
        done++;
        acked++;
      }
    }));
    return done / (ms / 1000);
  };

  type Mode = { name: string; start(): () => Promise<unknown> };
  const drift = (hz: number): Mode => ({
    name: `drift sampler ${hz} Hz`,
    start() {
      const s = startDriftSampler({
        url: target.url,
        schema,
        counters: [
          { name: 'user_stats.total_answers_lifetime', scope: 'user', source: 'postgres' },
          { name: 'onboarding_sessions.questions_answered', scope: 'session', source: 'postgres' },
        ],
        truth: () => acked,
        intervalMs: 1000 / hz,
        phase: () => 'load',
      });
      return async () => {
        const timeline = await s.stop();
        const c = s.cost();
        return `${timeline.length} samples, ${c.meanQueryMs} ms per sample query`;
      };
    },
  });
  const modes: Mode[] = [
    { name: 'no sampler', start: () => async () => {} },
    drift(5),
    drift(20),
    {
      name: 'lock sampler 40 Hz',
      start() {
        const s = startLockSampler(target.url, { applicationNamePrefix: 'counterbench:samplercost', intervalMs: 25 });
        return () => s.stop();
      },
    },
  ];

  await load(1000); // warm-up
  const results = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const m of r % 2 === 0 ? modes : [...modes].reverse()) {
      const stop = m.start();
      const rate = await load(seconds * 1000);
      const out = await stop();
      results.get(m.name)!.push(rate);
      const extra = typeof out === 'string' ? ` (${out})` : '';
      console.log(`round ${r + 1}  ${m.name.padEnd(20)} ${rate.toFixed(0).padStart(6)} inserts/s${extra}`);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
  };
  const none = results.get('no sampler')!;
  console.log(`\nPostgreSQL ${target.version} (${target.kind}), ${WORKERS} workers, ${USERS} users, ${seconds}s x ${rounds} rounds`);
  for (const [name, rates] of results) {
    const m = median(rates);
    const spread = `${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}`;
    // paired by round: the machine's drift over time falls on both sides of each ratio
    const paired = median(rates.map((x, i) => x / none[i] - 1)) * 100;
    console.log(`${name.padEnd(20)} median ${m.toFixed(0).padStart(6)} inserts/s (${spread})  ${paired.toFixed(1).padStart(6)}% vs none (median of per-round ratios)`);
  }
  for (const c of workers) await c.end();
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((e) => console.error(e.message));
  await admin.end();
  await target.stop();
}
