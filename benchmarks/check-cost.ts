// What one exporter check costs (counterbench check --serve), full and incremental, at 1M and 10M
// answer rows: wall time of the check on a quiet schema, repeated; and one full check while a
// writer inserts without pause, with the lock sampler watching the writer: did any insert wait
// for the check (it takes only ACCESS SHARE: none should)?
//   npx tsx benchmarks/check-cost.ts [users,users...] [answersPerUser] [repeats]
//   default: 10000,100000 users x 100 answers (1M and 10M rows), 3 repeats   (DATABASE_URL, else embedded)
import { openPostgres } from '../harness/provision/postgres.ts';
import { connectPg } from '../harness/db/connect.ts';
import { dropSchema } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import { strategyById } from '../harness/strategies/index.ts';
import { describeUrl } from '../harness/redact.ts';
import { createExporter } from '../harness/health/exporter.ts';
import { startLockSampler } from '../harness/measure/lock-sampler.ts';

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const answersPerUser = Number(process.argv[3] ?? 100);
const repeats = Number(process.argv[4] ?? 3);
const NEW_ANSWERS = 1000;

const target = await openPostgres({ databaseUrl: process.env.DATABASE_URL || undefined });
const admin = await connectPg(target.url, { applicationName: 'counterbench:bench' });
console.log(`check cost on ${target.kind === 'embedded' ? 'an embedded server' : describeUrl(target.url)} (PostgreSQL ${target.version}), ${repeats} checks each`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
try {
  for (const users of sizes) {
    const id = 'trigger-upsert';
    const ctx = { schema: schemaFor(id, 'checkcost'), redisPrefix: 'counterbench:bench:', users, options: {} as never };
    try {
      const d = await deployStrategy(target.url, admin, strategyById(id)!, ctx, { users, sessionsPerUser: 1, answersPerUser, answersSkew: 0 }, undefined);
      await admin.query(`VACUUM ANALYZE ${ctx.schema}.user_answers_new, ${ctx.schema}.onboarding_sessions, ${ctx.schema}.user_stats, ${ctx.schema}.digital_personality`);
      const size = await admin.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('${ctx.schema}.user_answers_new')) AS s`);
      const full = createExporter({ url: target.url, schema: ctx.schema, intervalMs: 3_600_000 });
      const times: number[] = [];
      await full.first();
      for (let i = 0; i < repeats; i++) {
        const o = await full.checkOnce();
        if (!o.ok) throw new Error(`full check failed: ${o.message}`);
        times.push(o.durationMs);
      }
      // one more full check while a writer inserts without pause: did any insert wait on a lock?
      const writerApp = 'counterbench:bench-writer';
      const busy = await connectPg(target.url, { schema: ctx.schema, applicationName: writerApp });
      const locks = startLockSampler(target.url, { applicationNamePrefix: writerApp });
      let writing = true;
      let inserts = 0;
      let maxInsertMs = 0;
      const writes = (async () => {
        while (writing) {
          const t0 = performance.now();
          await busy.query(`INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES (1 + floor(random() * $1)::int, 'q', 'a', 1)`, [users]);
          maxInsertMs = Math.max(maxInsertMs, performance.now() - t0);
          inserts++;
        }
      })();
      const during = await full.checkOnce();
      writing = false;
      await writes;
      const waits = await locks.stop();
      await busy.end();
      await full.stop();
      // incremental: the first check fixes the watermark; then NEW_ANSWERS answers of random users
      const inc = createExporter({ url: target.url, schema: ctx.schema, intervalMs: 3_600_000, incremental: { recent: 0 } });
      await inc.first();
      const writer = await connectPg(target.url, { schema: ctx.schema, applicationName: 'counterbench:bench' });
      const incTimes: number[] = [];
      let usersChecked = 0;
      for (let i = 0; i < repeats; i++) {
        await writer.query(
          `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length)
           SELECT 1 + floor(random() * $1)::int, 'q', 'a', 1 FROM generate_series(1, $2)`,
          [users, NEW_ANSWERS],
        );
        const o = await inc.checkOnce();
        if (!o.ok) throw new Error(`incremental check failed: ${o.message}`);
        incTimes.push(o.durationMs);
        usersChecked = o.counters![0].usersChecked;
      }
      await inc.stop();
      await writer.end();
      console.log(
        `${String(users * answersPerUser).padStart(9)} answers, ${users} users (answers table ${size.rows[0].s}): full check ${fmt(median(times))} median of ${times.map(fmt).join(', ')}; ` +
          `incremental after ${NEW_ANSWERS} new answers (${usersChecked} users) ${fmt(median(incTimes))} median of ${incTimes.map(fmt).join(', ')}; ` +
          `a full check with inserts going on took ${fmt(during.durationMs)}: ${inserts} inserts meanwhile, slowest ${fmt(maxInsertMs)}, ` +
          `${waits.lockWaitSamples} lock-wait samples of theirs (every ${waits.intervalMs} ms)`,
      );
    } finally {
      await dropSchema(admin, ctx.schema);
    }
  }
} finally {
  await admin.end();
  await target.stop();
}
