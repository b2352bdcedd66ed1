// The health tool opens its own transactions: check and dry-run read one snapshot, read-only (so
// that a dry run provably changes nothing); repair writes in exactly one transaction.
import type { Queryable } from './tables.ts';

/** Runs `work` between `begin` and COMMIT, rolling back on any error. */
export async function inTransaction<T>(c: Queryable, begin: string, work: () => Promise<T>): Promise<T> {
  await c.query(begin);
  try {
    const result = await work();
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
