// How fast seed data goes in: millions of answer rows generated server-side, per strategy
// schema, with counters made exact and keys and indexes built after the load. Prints rows/s.
//   npx tsx benchmarks/seed-rate.ts [users] [answersPerUser]     (DATABASE_URL, else embedded)
import { openPostgres } from '../harness/provision/postgres.ts';
import { connectPg } from '../harness/db/connect.ts';
import { dropSchema } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import { strategyById } from '../harness/strategies/index.ts';
import { describeUrl } from '../harness/redact.ts';

const users = Number(process.argv[2] ?? 20_000);
const answersPerUser = Number(process.argv[3] ?? 100);
const target = await openPostgres({ databaseUrl: process.env.DATABASE_URL || undefined });
const admin = await connectPg(target.url, { applicationName: 'counterbench:bench' });
console.log(`seeding ${users} users x ${answersPerUser} answers on ${target.kind === 'embedded' ? 'an embedded server' : describeUrl(target.url)} (PostgreSQL ${target.version})`);
try {
  for (const id of ['baseline', 'production-trigger']) {
    const ctx = { schema: schemaFor(id, 'bench'), redisPrefix: 'counterbench:bench:', users, options: {} as never };
    try {
      const d = await deployStrategy(target.url, admin, strategyById(id)!, ctx, { users, sessionsPerUser: 1, answersPerUser, answersSkew: 0 }, undefined);
      console.log(`${id.padEnd(20)} ${d.seedRows} rows in ${(d.seedMs / 1000).toFixed(2)} s: ${Math.round((d.seedRows / d.seedMs) * 1000)} rows/s`);
    } finally {
      await dropSchema(admin, ctx.schema);
    }
  }
} finally {
  await admin.end();
  await target.stop();
}
