// The faults a scenario can inject on a schedule, and what each needs to be injected at all.

export const FAULT_KINDS = {
  'redis-restart': 'Redis stopped and started again on its port (only a Redis the harness started)',
  'terminate-job-connection': "pg_terminate_backend on the strategy's background job connections",
  'terminate-load-connection': 'pg_terminate_backend on one load connection',
  'postgres-restart': 'Postgres stopped and started again (only the embedded server the harness owns)',
  'app-crash-after-insert': 'the application crashes between its INSERT and the counter update that follows (multi-statement writes only)',
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;

export const isFaultKind = (k: unknown): k is FaultKind => typeof k === 'string' && Object.hasOwn(FAULT_KINDS, k);

export interface FaultSpec {
  kind: FaultKind;
  /** seconds into the measured part of each strategy's phase */
  atSeconds: number;
  /** strategy ids it is injected into; every strategy when absent */
  strategies?: string[];
  /** app-crash-after-insert: how many writes crash (one after another) */
  count: number;
}
