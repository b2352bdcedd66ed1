// The results contract (DESIGN.md): results.json is the single source for every report and for
// `compare`. Field names here are relied on by tools and tests; add fields, do not rename them.
import type { Scenario } from '../config/types.ts';

export const SCHEMA_VERSION = 1;

/** ok: measured in full; not-deployable: Postgres refused its DDL (a finding); skipped: a part it
 *  needs (Redis) is missing; failed: its deployment or load broke, or a fault hit it; interrupted:
 *  Ctrl-C cut it short (its figures cover the part that ran); not-run: the run ended before its
 *  turn. */
export type StrategyStatus = 'ok' | 'not-deployable' | 'skipped' | 'failed' | 'interrupted' | 'not-run';
export type OpName = 'write' | 'read' | 'delete';

export interface LatencySummary {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  p999?: number;
  max: number;
}

export interface OpResult {
  /** operations that succeeded (goodput) */
  count: number;
  /** operations that failed for good, after any retries */
  errors: number;
  /** attempts including retried ones */
  attempts?: number;
  retries?: number;
  /** open model: arrivals never sent because maxInFlight operations were waiting (also errors,
   *  of kind 'dropped'; they have no latency) */
  dropped?: number;
  /** errors by SQLSTATE class or kind, e.g. { '40': 3, 'connection': 1 } */
  errorsByKind?: Record<string, number>;
  /** successful operations per second, from the start of the measured part until the last of
   *  its operations came back (a backlog that drains late lowers it) */
  throughput: number;
  /** latency from the intended start (open model) or from the send (closed model), ms */
  latencyMs: LatencySummary;
  /** time from the last attempt's send to the reply, ms; in the closed model it differs from
   *  latencyMs only where earlier attempts were retried */
  serviceTimeMs?: LatencySummary;
}

export interface CounterDrift {
  /** table.column, e.g. user_stats.total_answers_lifetime */
  name: string;
  scope: 'user' | 'session';
  usersChecked: number;
  usersInconsistent: number;
  consistencyPct: number;
  /** sum over keys of max(truth - counter, 0): increments the counter missed */
  lost: number;
  /** sum over keys of max(counter - truth, 0): increments the counter has too many */
  extra: number;
  maxAbsDrift: number;
  examples: Array<{ key: number; counter: number; truth: number }>;
}

export interface DriftSample {
  /** ms since the strategy's measured phase began */
  tMs: number;
  phase: 'load' | 'drain';
  /** per counter name: sum(counter) - sum(truth) */
  drift: Record<string, number>;
}

export interface ReadBounds {
  /** counter reads judged against what was acknowledged (Jepsen's counter checker) */
  judged: number;
  /** reads below the lower bound: they missed acknowledged inserts (stale or lost) */
  below: number;
  /** reads above the upper bound: inserts that never happened, or deletes not seen */
  above: number;
  outOfBoundsPct: number;
  maxBelowBy: number;
  maxAboveBy: number;
  /** for reads below: at least how long the missing insert had been acknowledged; `reads` is
   *  how many of them could be timed. For a strategy that loses increments for good this is the
   *  age of the loss, not a lag. */
  staleMs: { p50: number; p99: number; max: number; reads: number } | null;
}

export interface DriftResult {
  consistent: boolean;
  /** ms from the end of the load until every counter matched; null when it never did */
  convergeMs: number | null;
  counters: CounterDrift[];
  timeline: DriftSample[];
  /** the drift sampler's own cost: samples taken and their mean query time */
  sampler?: { intervalMs: number; samples: number; meanQueryMs: number | null; errors: number };
  reads?: ReadBounds;
  /** what the driver knows was acknowledged; inDoubt operations failed without a clear outcome */
  ledger?: {
    acknowledgedInserts: number;
    acknowledgedDeletes: number;
    inDoubt: number;
    /** inserts begun while another insert of the same user was open: without any, no race
     *  between same-user writes could have shown */
    writeOverlaps?: number;
  };
}

/** One second of one operation. Every second of the measured window has a point for every
 *  operation of the mix (and, in the open model, every second of a backlog's drain after the
 *  window, up to the last completion), also when nothing completed in it. */
export interface SeriesPoint {
  /** whole seconds since the measured phase began: the point covers [t, t + 1) */
  t: number;
  op: OpName;
  /** operations that succeeded, filed under the second they started in (closed model) or
   *  completed in (open model); 0 in a second where none did, e.g. during a stall */
  count: number;
  /** operations that failed for good, filed the same way (open-model drops under the second
   *  they were due in) */
  errors: number;
  /** latency percentiles of that second's successful operations, ms, measured as
   *  ops.<op>.latencyMs is; null when count is 0: no latency was measured in that second */
  p50: number | null;
  p99: number | null;
}

export interface StrategyResult {
  id: string;
  title: string;
  origin: string;
  status: StrategyStatus;
  reason?: string;
  /** counter names the strategy keeps */
  counters: string[];
  ops: Partial<Record<OpName, OpResult>>;
  /** the exact check after the last round (counters carry every earlier round's errors too) */
  drift?: DriftResult;
  /** server cost of the last round; rounds[].server has each round's main figures */
  server?: Record<string, unknown>;
  /** per-second series of the measured phase (of the last round), by second, then write, read,
   *  delete; seconds in which nothing completed are in it with count 0 */
  series?: SeriesPoint[];
  rounds?: RoundResult[];
  /** ratio of this strategy's write mean latency and throughput to baseline's */
  vsBaseline?: { writeLatencyRatio?: number; writeThroughputRatio?: number };
  /** the harness itself was saturated (event-loop delay) during this strategy's phase */
  harnessSaturated?: boolean;
  /** cpuPct: % of one core, the whole process (above 100 with worker threads) */
  harness?: {
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
    cpuPct: number;
    saturated: boolean;
    /** why it counts as saturated */
    reason?: string;
    /** with --workers N > 1: each worker thread's own figures, cpuPct its event-loop utilization;
     *  loop delay above is the worst of them, and one saturated worker saturates the phase */
    workers?: Array<{ loopDelayP99Ms: number; loopDelayMaxMs: number; cpuPct: number; saturated: boolean; reason?: string }>;
  };
  /** seed data loaded into the strategy's schema */
  seed?: { rows: number; ms: number; rowsPerSec: number };
  /** background actions on the run's time axis: the strategy's jobs (mv-refresh, redis-sync,
   *  queue-drained) and the server's (checkpoint, autovacuum, autoanalyze); at in epoch ms, tMs
   *  from the measured part's start */
  events?: Array<{ kind: string; at: number; tMs: number; durationMs: number; error?: string; detail?: string }>;
  reconnects?: number;
  /** open model: arrivals dropped because maxInFlight operations were already waiting */
  droppedArrivals?: number;
  /** faults during its phases, injected by the scenario or suffered: what they cost is theirs,
   *  and no claim of the analysis is decided on a phase that had one */
  faults?: FaultRecord[];
  /** 'http': its load went through an in-process `counterbench serve` driven by autocannon (the
   *  ops above are HTTP figures); absent: the SQL driver's own connections */
  via?: 'http';
  /** with via 'http': for a scenario with load.via both, `strategy` is the strategy id (this
   *  result's id is "<strategy>@http", beside the SQL one) */
  strategy?: string;
  /** with via 'http': what the HTTP path adds (pool, autocannon's totals, the latency caveat) */
  http?: HttpFigures;
}

/** What the HTTP path adds to a strategy's figures (load.via http or both). */
export interface HttpFigures {
  /** connections of serve's pg.Pool, and autocannon's HTTP connections */
  pool: number;
  connections: number;
  /** 'service-time': every HTTP latency is timed from the request's send by autocannon */
  latencyKind: 'service-time';
  /** set in the open model: why its latency is service time and not free of coordinated omission */
  caveat?: string;
  /** autocannon's own totals over the whole phase, warm-up included */
  autocannon: {
    requestsSent: number;
    responses: number;
    non2xx: number;
    /** connection errors and timeouts */
    errors: number;
    timeouts: number;
    statusCodes: Record<string, number>;
  };
  /** every measured response's time, all operations (autocannon's clock), ms */
  latencyMs: LatencySummary;
  /** requests in flight when autocannon stopped: replies never read, writes in doubt (the
   *  exact check counts the rows) */
  cutOff: number;
}

export interface FaultRecord {
  /** an injected kind (harness/faults/kinds.ts), or one the harness suffered:
   *  postgres-connection-lost, load-connection-lost, job-connection-lost, redis-lost */
  kind: string;
  injected: boolean;
  /** false when an injected fault could not be injected here (detail says why) */
  happened: boolean;
  round: number;
  /** epoch ms, and ms from the measured part's start */
  at: number;
  tMs: number;
  detail: string;
  cost: {
    /** how long the part it hit was gone: until the server answered again, or the connection
     *  was replaced; null when it never came back within the phase */
    downMs?: number | null;
    /** operations that failed in the seconds the fault spanned */
    errors?: number;
    /** app-crash-after-insert: writes that crashed after their INSERT (each leaves every
     *  counter of an exact strategy one short) */
    appCrashes?: number;
  };
}

export interface RoundResult {
  round: number;
  ops: Partial<Record<OpName, OpResult>>;
  /** the round's main server figures (the full server cost, series and timeline of a strategy
   *  are those of its last round) */
  server?: { walBytesPerWrite: number | null; deadTuplesPerWrite: number | null };
}

export interface Environment {
  postgres: { version: string; settings?: Record<string, string> };
  redis?: { version: string } | null;
  node: string;
  os: string;
  cpus: number;
  memoryBytes: number;
  /** 'embedded' | 'url' | 'docker'; never the connection string */
  target: string;
  /** the servers the run started in containers (`--target docker:IMAGE`, `--matrix`) */
  containers?: { postgres?: ContainerInfo; redis?: ContainerInfo };
}

/** A server in a container: what ran it, and the limits it ran under. */
export interface ContainerInfo {
  /** the image as the user named it, e.g. postgres:16 */
  image: string;
  /** the image the engine ran (COUNTERBENCH_IMAGES may map the name to a local one) */
  resolvedImage: string;
  imageId: string;
  /** always host: the server listens on a loopback port of the host */
  network: string;
  /** CPU and memory limits of the container; null when none was set */
  cpus: number | null;
  memoryBytes: number | null;
  /** the server's own version (server_version, redis_version) */
  version: string;
}

/** `run --matrix`: the same scenario on each image in turn. */
export interface VersionsResult {
  entries: VersionEntry[];
}

export interface VersionEntry {
  /** the image as given in --matrix, e.g. postgres:15 */
  image: string;
  /** failed: this entry's server did not start or its run broke (the others still ran) */
  status: 'ok' | 'failed' | 'interrupted' | 'not-run';
  reason?: string;
  environment?: Environment;
  strategies?: StrategyResult[];
  claims?: ClaimResult[];
  /** the scenario's thresholds judged on this version (the matrix's run.thresholds are only the
   *  first version's) */
  thresholds?: ThresholdOutcome[];
  /** this entry's own results.json */
  resultsPath?: string;
}

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  /** true when the run was interrupted (Ctrl-C) and these are partial results */
  interrupted?: boolean;
  scenario: Scenario;
  environment: Environment;
  thresholds?: ThresholdOutcome[];
  /** figures made elsewhere and imported (`counterbench import k6`): which tool and files, the
   *  tool's own threshold verdicts, and what to know about the import */
  source?: { tool: 'k6'; /** through serve (http) or on the database (sql) */ target: 'http' | 'sql'; files: string[]; format: string; thresholds: Array<{ metric: string; expression: string; passed: boolean }>; notes: string[] };
}

export interface ThresholdOutcome {
  expression: string;
  strategy: string;
  actual: number | null;
  passed: boolean;
}

export interface Results {
  schemaVersion: number;
  run: RunInfo;
  strategies: StrategyResult[];
  /** `counterbench capacity` only: the rate search (strategies[] then holds each strategy's
   *  status and reason, and no ops) */
  capacity?: CapacityResult;
  /** deterministic interleavings of each strategy's statements (`counterbench interleave`), one
   *  entry per strategy and spec */
  interleavings?: InterleavingResult[];
  /** the analysis's claims as this run decided them (reports/claims.ts): a run's from its own
   *  figures, a suite's each from the phase whose conditions can decide it. Older files lack it;
   *  the reports then decide the claims from the file's figures */
  claims?: ClaimResult[];
  /** a suite (`run --scenario matrix`): its phases, each with its own scenario and findings;
   *  `strategies` and `run.scenario` are then those of its main phase */
  suite?: SuiteResult;
  /** `run --matrix`: one entry per image; `strategies` and `run.environment` are then those of
   *  the first entry that ran */
  versions?: VersionsResult;
}

// ---- capacity: the rate search ------------------------------------------------------------------

/** What ended a search for one SLO line:
 *  - latency: write p99 over the line at the first failing step
 *  - errors: failed operations over 0.1% of the arrivals
 *  - drops: arrivals never sent (every connection busy, maxInFlight waiting) over 0.1%
 *  - throughput: achieved rate more than 5% below the offered one
 *  - drift: a counter of the strategy went wrong during the step
 *  - harness: the harness may have failed the failing step (its CPU saturated a core, every
 *    connection was busy while the server still answered as fast as at low load, or an
 *    event-loop stall could account for the failure): the knee is a lower bound
 *  - budget: the search's share of --budget ran out first (the knee is the best passing rate)
 *  - interrupted: Ctrl-C
 *  - max-rate: nothing failed up to capacity.maxRate
 *  - not-measured: no step passed or failed for this line (deploy failed, budget gone before) */
export type CapacityLimit = 'latency' | 'errors' | 'drops' | 'throughput' | 'drift' | 'harness' | 'budget' | 'interrupted' | 'max-rate' | 'not-measured';

/** A condition that fails a step whatever the SLO line. */
export type StepCause = 'errors' | 'drops' | 'throughput' | 'drift';

export interface CapacityStep {
  /** 1-based, in the order the search measured them */
  index: number;
  /** epoch ms when the step began (its warm-up) */
  startedAt: number;
  /** wall time of the whole step: connections, warm-up, window, drain and checks */
  wallMs: number;
  /** arrivals per second of the schedule (warm-up and window) */
  offeredRate: number;
  /** operations completed per second in the window, until the last of them came back */
  achievedRate: number;
  /** connections that served the arrivals, and how many arrivals could wait or run at once */
  clients: number;
  maxInFlight: number;
  /** the step's warm-up and measured window */
  warmupSeconds: number;
  windowSeconds: number;
  /** writes that succeeded in the window */
  writes: number;
  /** failed operations in the window, dropped arrivals included */
  errors: number;
  /** arrivals of the window never sent (maxInFlight reached) */
  dropped: number;
  /** errors (drops included) per arrival of the window, % */
  errorPct: number;
  /** write latency from the intended start (HdrHistogram, as in `run`), ms */
  latencyMs: { mean: number; p50: number; p99: number; max: number };
  /** write time from the send to the reply, ms */
  serviceMs: { mean: number; p50: number; p99: number };
  /** counters that went wrong during this step (worst counter's lost + extra increments added
   *  by it); null for a strategy without counters */
  drift: { added: number; consistent: boolean } | null;
  /** the harness's own event-loop delay and CPU over the step (measure/loop-delay.ts) */
  harness: { loopDelayP99Ms: number; loopDelayMaxMs: number; cpuPct: number; saturated: boolean; reason?: string };
  /** connections busy on average (Little's law: rate x service time / connections), %; limited:
   *  all of them busy while the server answered about as fast as at the search's lowest step,
   *  so more connections would have carried more */
  pool: { busyPct: number; limited: boolean };
  /** the harness, not the server, may have failed this step for at least one SLO line: its CPU
   *  saturated a core, pool.limited, or its longest event-loop stall (twice over, for the backlog
   *  behind it) could account for the latency over the line or for the time the achieved rate
   *  fell behind (capacity/verdict.ts) */
  harnessLimited: boolean;
  /** conditions that failed the step for every SLO line */
  causes: StepCause[];
  /** per SLO line (ms, as a string key): did the step pass */
  passed: Record<string, boolean>;
}

export interface CapacityKnee {
  /** the SLO line: write p99 in ms */
  sloP99Ms: number;
  /** highest offered rate (ops/s) that passed; null when every step tried failed */
  rate: number | null;
  /** lowest offered rate that failed; null when none did */
  failedAt: number | null;
  /** what ended the search for this line (see CapacityLimit) */
  limit: CapacityLimit;
  /** one line saying what happened at the failing step (or why the search stopped) */
  detail: string;
  /** the server's capacity is at least `rate`, not about `rate`: the harness limited the
   *  failing step, or the search did not finish */
  lowerBound: boolean;
  /** writes per second at the knee (rate x the write share of the mix) over the profile's peak
   *  at this many users; absent without a profile */
  headroom?: number | null;
}

export interface CapacitySearch {
  /** strategy id */
  strategy: string;
  /** the data size: users seeded in the strategy's schema */
  users: number;
  /** done: every line bracketed to the tolerance (or ended by max-rate, or failing from the
   *  lowest rate); unfinished: its share of the budget ran out (knees are best passing rates);
   *  interrupted: Ctrl-C; not-started: the budget was gone before it began; failed /
   *  not-deployable / skipped: as in strategies[].status, with the reason */
  status: 'done' | 'unfinished' | 'interrupted' | 'not-started' | 'failed' | 'not-deployable' | 'skipped';
  /** why it is not done, in a sentence */
  reason?: string;
  /** seed data loaded into its schema for this size */
  seed?: { rows: number; ms: number };
  /** ms of the budget this search was given when it began, and how many it used */
  budgetMs: number;
  usedMs: number;
  /** one per SLO line, ascending */
  knees: CapacityKnee[];
  /** every measured step, in the order measured */
  steps: CapacityStep[];
}

/** Where the profile's peak load meets a strategy's knee, as the data grows. */
export interface CapacityCrossing {
  /** strategy id */
  strategy: string;
  /** the SLO line, write p99 in ms */
  sloP99Ms: number;
  /** users at which the peak writes reach the knee; null when no knee was measured */
  users: number | null;
  /** interpolated: between two measured sizes (log-log); projected: outside them, an
   *  extrapolation, never a measurement; measured: exactly at a measured size */
  basis: 'measured' | 'interpolated' | 'projected' | null;
  /** a knee it rests on was a lower bound, so the crossing is at least this many users */
  lowerBound: boolean;
}

export interface CapacityResult {
  /** the search as configured (scenario capacity block, after --users, --slo-p99, --budget) */
  settings: {
    /** data sizes searched, ascending */
    users: number[];
    /** the SLO lines: write p99 in ms, ascending */
    sloP99Ms: number[];
    /** --budget: the whole search, deployments included, ms */
    budgetMs: number;
    /** arrivals per second of the first step */
    startRate: number;
    /** factor between steps until one fails */
    growth: number;
    /** bisection stops when failedAt <= rate x (1 + tolerance) */
    tolerance: number;
    /** each step's warm-up and measured window */
    warmupSeconds: number;
    windowSeconds: number;
    /** the search's ceiling, arrivals per second */
    maxRate: number;
    /** connections per step grow with the rate up to this */
    maxClients: number;
    /** a step fails when errors or drops exceed this % of arrivals */
    maxErrorPct: number;
    /** a step fails when the achieved rate is more than this % below the offered one */
    maxShortfallPct: number;
    /** share of operations that are writes (the mix), to turn rates into writes/s */
    writeShare: number;
  };
  /** wall time the whole search took, deployments included, ms */
  usedMs: number;
  /** Ctrl-C stopped it: the steps measured before are kept */
  interrupted?: boolean;
  /** the scenario's workload profile (config/types.ts WorkloadProfile), with the peak writes per
   *  user per second it implies always filled in */
  profile?: { users: number; writesPerUserPerDay?: number; peakToAverage?: number; peakWritesPerUserPerSecond: number };
  /** one per strategy and data size, strategies in order (baseline first), sizes ascending */
  searches: CapacitySearch[];
  /** with a profile: per strategy and SLO line, the users at which its peak meets the knee */
  crossings?: CapacityCrossing[];
  /** with a profile: per strategy and SLO line, the knee over the peak at profile.users */
  today?: CapacityToday[];
}

export interface CapacityToday {
  /** strategy id */
  strategy: string;
  /** the SLO line, write p99 in ms */
  sloP99Ms: number;
  /** writes per second at the knee at profile.users over the profile's peak there; null when no
   *  knee was measured */
  headroom: number | null;
  /** how the knee at profile.users was obtained (see CapacityCrossing.basis) */
  basis: CapacityCrossing['basis'];
  /** it rests on a lower-bound knee: the headroom is at least this */
  lowerBound: boolean;
}

// ---- interleavings (harness/interleave) ------------------------------------------------------

/** An error a step met: the SQLSTATE when Postgres gave one (40P01 deadlock, 40001
 *  serialization failure), and its message. */
export interface InterleavingError {
  sqlstate?: string;
  message: string;
}

/** One step of a permutation as it ran, in the order the runner sent it. */
export interface InterleavingStep {
  session: string;
  /** as the spec names it: BEGIN, COMMIT, ROLLBACK, write, delete, read, write.2, die, jobs */
  step: string;
  /** what it sent, in order: SQL text with its whitespace collapsed, or a Redis command */
  sent: string[];
  /** it waited on a lock held by these sessions (pg_blocking_pids) … */
  waitedOn?: string[];
  /** … until the step at this index (0-based, of `steps`) released it; absent when it was still
   *  waiting after the last step and finished then */
  resumedAfter?: number;
  error?: InterleavingError;
  /** a read: what the strategy returned, and the answers its reader's own snapshot counted */
  read?: { value: number; truth: number };
  /** why nothing was sent: the action had already finished with fewer statements */
  skipped?: string;
  /** committed state right after the step (and any step it released): counter − COUNT(*) per
   *  counter name, for the permutation's one user or session */
  drift?: Record<string, number>;
  /** the same inside the step's own open transaction, as its session saw it */
  ownDrift?: Record<string, number>;
  /** here the permutation's final loss (or excess) was made: the last step that changed the
   *  committed drift to its final value, or, when that was a COMMIT, the action of that
   *  transaction whose own view first showed it */
  marks?: 'lost' | 'extra';
}

export type InterleavingOutcomeKind = 'exact' | 'lost' | 'extra' | 'error';

/** How one permutation ended. kind takes the first that applies: lost, extra, error, else
 *  exact. A read that was off is what a reader saw, not a failure: it is in readOffBy. */
export interface InterleavingOutcome {
  kind: InterleavingOutcomeKind;
  /** increments the worst counter is short of COUNT(*) after the background jobs drained */
  lost: number;
  /** increments the worst counter has too many */
  extra: number;
  /** the first error of the permutation, by session and step (a session's own death and the
   *  errors of its aborted transaction are not counted) */
  error?: InterleavingError & { session: string; step: string };
  /** the worst read, when one was off what its reader's own snapshot counted: value − truth
   *  (negative: below, a stale read) */
  readOffBy?: number;
  /** every counter at the end against the truth */
  counters: Array<{ name: string; value: number; truth: number }>;
}

export interface InterleavingPermutation {
  /** the steps in the order they were sent, "session:step" */
  order: string[];
  steps: InterleavingStep[];
  /** committed drift after the strategy's background jobs drained at the end (only for a
   *  strategy with jobs) */
  settledDrift?: Record<string, number>;
  /** set when the loss was made by that final drain (no step marks it) */
  settleMarks?: 'lost' | 'extra';
  outcome: InterleavingOutcome;
}

export interface InterleavingResult {
  strategy: string;
  /** the spec's id; null for a strategy no spec was run on (status and reason say why) */
  spec: string | null;
  title: string;
  /** what the spec shows, from its file */
  about: string;
  /** ok: every permutation ran; skipped: nothing applies or a part is missing (Redis);
   *  not-deployable; failed: the harness could not run it (reason); interrupted: Ctrl-C */
  status: 'ok' | 'skipped' | 'not-deployable' | 'failed' | 'interrupted';
  reason?: string;
  /** the isolation level of its transactions: what a "no failing permutation" covers */
  isolation: string;
  /** each session's steps as run (write.* expanded to the strategy's statements) */
  sessions: Record<string, string[]>;
  /** actions run one after another before every permutation, on fresh data */
  setup: string[];
  permutations: {
    /** every order that keeps each session's steps in order */
    total: number;
    /** run to the end */
    run: number;
    /** not possible: a session would have had to act while its previous step waited */
    invalid: number;
    /** run, and not exact */
    failing: number;
    /** run, exact, and a read in it was off what its reader's snapshot counted */
    readsOff: number;
  };
  /** how many permutations ended each way, by outcome label ("exact", "lost 1", "error 40P01") */
  outcomes: Record<string, number>;
  /** every failing permutation, with its steps and outcome, in the order they were run */
  failing: InterleavingPermutation[];
  /** every exact permutation in which a read was off, likewise: what a reader sees */
  readsOff: InterleavingPermutation[];
  durationMs: number;
}

// ---- claims of the analysis ------------------------------------------------------------------

/** confirmed / refuted: the measurement decided it; partly: a part of it holds and a part does
 *  not (the evidence says which); not measured: the reason says why (a condition the phase did
 *  not create, a fault, a failed phase) */
export type ClaimStatus = 'confirmed' | 'refuted' | 'partly' | 'not measured';

export interface ClaimResult {
  /** stable (reports/analysis.ts; the README lists them) */
  id: string;
  topic: string;
  /** strategy ids the claim is about; the first is the one whose figures decide it */
  strategies: string[];
  /** what the document says, its figures filled in */
  claim: string;
  status: ClaimStatus;
  /** why it is not measured (or what limits a partly) */
  reason?: string;
  /** the numbers that decided it, in words, naming the phase they came from */
  evidence: string;
  /** the phase whose figures decided it (a suite's phase name, or the scenario's name in a
   *  plain run); null when no phase could */
  phase: string | null;
}

// ---- suites (harness/suite) ------------------------------------------------------------------

/** load: a scenario through the run engine; interleave: permutations (harness/interleave);
 *  refresh: REFRESH time against rows, then readers under the refresh job; double-increment,
 *  slow-inserts, bypass: the analysis's three known problems reproduced; batch: multi-row INSERT
 *  and COPY in transactions of several sizes */
export type SuitePhaseKind = 'load' | 'interleave' | 'refresh' | 'double-increment' | 'slow-inserts' | 'bypass' | 'batch';

export interface SuiteResult {
  name: string;
  description: string;
  /** the phase whose strategies fill results.strategies (the page's main sections) */
  main: string | null;
  /** the plan's estimate of the whole suite, ms, printed before it started */
  estimateMs: number;
  phases: SuitePhaseResult[];
}

export interface SuitePhaseResult {
  name: string;
  kind: SuitePhaseKind;
  title: string;
  /** claim ids this phase's conditions decide */
  decides: string[];
  /** failed: the phase broke (reason); its claims are "not measured: phase failed: …" */
  status: 'ok' | 'failed' | 'interrupted' | 'not-run';
  reason?: string;
  estimateMs: number;
  startedAt?: string;
  durationMs?: number;
  /** the scenario its load ran (load-like kinds), as validated */
  scenario?: Scenario;
  /** the engine's result per strategy (load-like kinds) */
  strategies?: StrategyResult[];
  thresholds?: ThresholdOutcome[];
  refresh?: RefreshScaling;
  doubleIncrement?: DoubleIncrementStory;
  slowInserts?: SlowInsertsStory;
  bypass?: BypassFinding;
  batch?: BatchFinding;
}

/** What `check` reported on a schema (harness/health), per counter. */
export interface CheckSnapshot {
  consistent: boolean;
  counters: Array<{ name: string; usersChecked: number; usersInconsistent: number; lost: number; extra: number; sumCounter: number; sumTruth: number }>;
}

/** What `repair` changed. */
export interface RepairSnapshot {
  /** counters set to the truth (rows updated or created) */
  fixed: number;
  counters: Array<{ name: string; updated: number; inserted: number }>;
  /** how long answer writers were held back, ms */
  lockHeldMs: number;
}

export interface RefreshScaling {
  strategy: string;
  concurrently: boolean;
  /** REFRESH timed at each size (answer rows in the view's source), several times each */
  points: Array<{ rows: number; users: number; refreshMs: number[]; medianMs: number }>;
  /** least squares over the points: ms = interceptMs + msPerMillionRows × rows / 1e6 */
  fit: { interceptMs: number; msPerMillionRows: number; r2: number } | null;
  /** the claimed duration and the rows at which the fit reaches it (a projection beyond the
   *  largest size measured); null when the REFRESH does not grow with rows */
  reaches: { ms: number; rows: number | null };
  /** readers of the view under the refresh job, at the largest size: a read that waited for a
   *  whole REFRESH is blocked */
  readers: { reads: number; slowestMs: number; longestRefreshMs: number; refreshes: number; blocked: boolean } | null;
}

export interface DoubleIncrementStory {
  /** the application's write, still with its manual UPDATEs, and the migration deployed under it */
  app: string;
  migration: string;
  /** the load under both: answers written, and what check then reported */
  transition: { writes: number; truth: number; check: CheckSnapshot };
  repair: RepairSnapshot;
  afterRepair: CheckSnapshot;
  /** the load once the manual UPDATE stopped (the migration's trigger alone), and check after it */
  after: { app: string; writes: number; check: CheckSnapshot };
}

export interface SlowInsertsCase {
  id: 'contention' | 'missing-index';
  title: string;
  /** what was done to the schema or the load */
  what: string;
  strategy: string;
  writes: number;
  writeP50Ms: number | null;
  writeP99Ms: number | null;
  deleteP99Ms: number | null;
  /** increments lost on the worst counter (007's try-lock skips them) */
  lost: number;
  /** the analysis's diagnosis queries, sampled during the load */
  diagnosis: {
    samples: number;
    /** pg_indexes: the indexes the analysis asks for, present or not */
    indexes: Array<{ name: string; table: string; present: boolean }>;
    /** pg_locks WHERE locktype = 'advisory' AND NOT granted: the most in one sample, and how many
     *  samples had any */
    advisoryNotGranted: { max: number; samples: number };
    /** advisory locks granted (held) at once, at most: 007's try-lock takes them */
    advisoryGrantedMax: number;
    /** pg_stat_activity of the load's backends: backend-samples active, and waiting by
     *  wait_event_type:wait_event */
    activity: { active: number; waiting: Record<string, number> };
  };
}

export interface SlowInsertsStory {
  cases: SlowInsertsCase[];
  /** what the diagnosis showed instead of advisory-lock contention, in a sentence */
  finding: string;
}

export interface BypassPathResult {
  path: string;
  status: 'ok' | 'failed';
  reason?: string;
  /** answer rows the path inserted, deleted or truncated */
  rowsTouched: number;
  /** per counter: its change minus the truth's change over the path (negative: lost) */
  drift: Record<string, number>;
  exact: boolean;
  /** the health tool, where it knows the strategy's counters: check after the path, repair,
   *  check after the repair */
  check?: CheckSnapshot;
  repair?: RepairSnapshot;
  afterRepair?: CheckSnapshot;
}

export interface BypassFinding {
  paths: Array<{ id: string; title: string; sql: string }>;
  strategies: Array<{
    strategy: string;
    status: 'ok' | 'failed' | 'not-deployable' | 'skipped';
    reason?: string;
    /** its triggers on user_answers_new, from pg_trigger */
    triggers: Array<{ name: string; timing: string; level: string; events: string[] }>;
    /** why check and repair were not run on it (its counters are not the three the tool knows) */
    healthTool?: string;
    paths: BypassPathResult[];
  }>;
}

export interface BatchCell {
  method: 'insert' | 'copy';
  /** rows per transaction */
  size: number;
  rows: number;
  transactions: number;
  ms: number;
  usPerRow: number;
  /** usPerRow over baseline's in the same cell */
  vsBaseline: number | null;
}

export interface BatchFinding {
  sizes: number[];
  methods: Array<'insert' | 'copy'>;
  /** rows written per cell (at least one transaction) */
  rowsPerCell: number;
  strategies: Array<{
    strategy: string;
    status: 'ok' | 'failed' | 'not-deployable' | 'skipped' | 'no-batch';
    reason?: string;
    /** how it counts a batch (strategies/types.ts BatchCounting kind) */
    counting: string;
    cells: BatchCell[];
    /** every counter exact after all its batches (jobs drained); null when not checked */
    exact: boolean | null;
    lost?: number;
    extra?: number;
  }>;
}
