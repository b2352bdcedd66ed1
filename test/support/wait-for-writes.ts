// Until a run's load has written into a strategy's schema (more answers than its seed put
// there): the moment a test may strike mid-load. The schema name carries the test's own
// namespace, so other runs on the same server cannot satisfy it.
import type pg from 'pg';

export async function waitForWrites(admin: pg.Client, schema: string, seeded: number, timeoutMs = 30_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    const r = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.user_answers_new`).catch(() => ({ rows: [{ n: 0 }] }));
    if (r.rows[0].n > seeded) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no load reached ${schema} within ${timeoutMs} ms`);
}
