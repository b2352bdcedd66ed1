// A scenario as the harness uses it, after validation and defaults (config/scenario.ts makes
// one from a file, a built-in name and command-line overrides).

export type KeyDistribution =
  | { kind: 'uniform' }
  /** rank r (1-based) is chosen with probability proportional to 1 / r^exponent */
  | { kind: 'zipfian'; exponent: number }
  /** share `hotShare` (0..1) of operations go to the first `hotUsers` users, the rest uniform */
  | { kind: 'hotset'; hotUsers: number; hotShare: number };

export type LoadModel =
  /** N clients, each sends its next operation when the previous one answered (+ think time) */
  | { kind: 'closed'; clients: number; thinkTimeMs: number }
  /** operations arrive at `rate` per second on a fixed schedule, served by `clients`
   *  connections; at most `maxInFlight` wait or run at once, arrivals beyond are dropped
   *  and counted */
  | { kind: 'open'; rate: number; clients: number; maxInFlight: number };

export interface Stage {
  durationSeconds: number;
  /** clients (closed) or arrivals per second (open) at the end of the stage, ramped linearly */
  target: number;
}

export interface Threshold {
  /** as written, e.g. "ops.write.latencyMs.p99 < 50" */
  expression: string;
  /** dotted path into a StrategyResult, e.g. ops.write.latencyMs.p99 or drift.counters.consistencyPct (min over counters) */
  metric: string;
  op: '<' | '<=' | '>' | '>=' | '==';
  value: number;
  /** strategy ids it applies to; all deployed strategies when absent */
  strategies?: string[];
}

import type { FaultSpec } from '../faults/kinds.ts';

export interface Scenario {
  name: string;
  description: string;
  /** strategy ids, in the order they are measured in the first round */
  strategies: string[];
  data: {
    users: number;
    sessionsPerUser: number;
    /** answers present per user before the run, on average */
    answersPerUser: number;
    /** 0: every user has answersPerUser; >0: zipfian exponent of answers over users */
    answersSkew: number;
  };
  load: LoadModel;
  /** worker threads the load runs in (file: load.workers; --workers): 1 runs it in the main
   *  thread (also when absent); never more than the phase's load connections */
  workers?: number;
  /** load.via: how the load reaches Postgres; absent is 'sql' (the driver's own connections).
   *  'http': through an in-process `serve` (fastify, a pg.Pool) driven by autocannon; 'both':
   *  each strategy once each way, side by side (the HTTP one as "<id>@http") */
  via?: 'sql' | 'http' | 'both';
  /** load.pool: connections of serve's pg.Pool (default load.clients); with via http or both */
  pool?: number;
  phases: {
    warmupSeconds: number;
    durationSeconds: number;
    stages: Stage[];
  };
  mix: { write: number; read: number; delete: number };
  keys: KeyDistribution;
  rounds: number;
  seed: number;
  thresholds: Threshold[];
  /** faults injected into each strategy's measured part, on a schedule (see faults/kinds.ts) */
  faults: FaultSpec[];
  options: {
    /** materialized-view refresh period */
    mvRefreshIntervalMs: number;
    mvRefreshConcurrently: boolean;
    /** redis-queue: period of the Redis → user_stats sync */
    redisSyncIntervalMs: number;
    /** how long jobs may take to drain after the load before the strategy is judged */
    drainTimeoutMs: number;
    /** drift sampler period; 0 turns it off */
    driftSampleIntervalMs: number;
    /** retries of serialization failures and deadlocks before an operation counts as an error */
    maxRetries: number;
    // One strategy's own options each; a scenario file's are always filled in, a Scenario made
    // in code may leave them out (defaults: harness/strategies/options.ts).
    /** sharded-counter: slot rows per user */
    slots?: number;
    /** sharded-counter: how a write picks its slot: by the connection's backend pid, or at random */
    slotPick?: 'backend' | 'random';
    /** delta-rollup: period of the rollup that folds the delta ledger into user_stats */
    rollupIntervalMs?: number;
    /** redis-after-commit: period of the flusher that moves buffered increments to Postgres */
    redisFlushIntervalMs?: number;
    /** the Postgres client of the load driver's connections: 'lean' (harness/db/lean, the
     *  default) or 'pg' (node-postgres); absent means lean */
    driver?: 'lean' | 'pg';
  };
  /** present only in a capacity scenario (`kind: capacity`): the rate search `counterbench
   *  capacity` runs instead of one load point; load and phases then describe its first step */
  capacity?: CapacitySpec;
}

/** Today's workload, to turn measured knees into headroom (one of the two rates is given). */
export interface WorkloadProfile {
  /** users today */
  users: number;
  /** writes (answers saved) per user per day, averaged over the day */
  writesPerUserPerDay?: number;
  /** peak hour's rate over the day's average (>= 1), with writesPerUserPerDay */
  peakToAverage?: number;
  /** writes per user per second at the peak, instead of the two above */
  peakWritesPerUserPerSecond?: number;
}

/** The open-model rate search of `counterbench capacity`. */
export interface CapacitySpec {
  /** data sizes, ascending: each strategy is deployed and searched once per size */
  users: number[];
  /** the SLO lines: write p99 (from the intended start) in ms, ascending */
  sloP99Ms: number[];
  /** the whole search, deployments included */
  budgetMs: number;
  /** arrivals per second of the first step */
  startRate: number;
  /** each step multiplies the rate by this until one fails */
  growth: number;
  /** bisection stops when the failing rate is within this fraction above the passing one */
  tolerance: number;
  warmupSeconds: number;
  /** measured part of each step */
  windowSeconds: number;
  /** the search stops here even if nothing failed */
  maxRate: number;
  /** connections per step grow with the rate up to this cap */
  maxClients: number;
  profile?: WorkloadProfile;
}
