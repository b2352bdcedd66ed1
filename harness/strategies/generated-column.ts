import { defineStrategy } from './types.ts';
import { sqlFile } from '../sql.ts';

const unreachable = () => Promise.reject(new Error('generated-column never deploys'));

/** Variant 4: its deploy runs the analysis's DDL, which PostgreSQL refuses; the refusal is the
 *  result. */
export const generatedColumn = defineStrategy({
  id: 'generated-column',
  title: 'Generated column with a subquery (variant 4)',
  origin: 'seed: variant 4',
  counters: [],
  async deploy(c) {
    await c.query(sqlFile('strategies/generated-column/deploy.sql'));
  },
  async backfill() {},
  write: unreachable,
  batch: { kind: 'none', reason: 'Postgres refuses its DDL: there is nothing to write to' },
  read: unreachable,
  readsCounter: false,
  remove: unreachable,
});
