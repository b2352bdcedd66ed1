// The contract between the harness and one counter strategy (DESIGN.md, "Strategies").
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Scenario } from '../config/types.ts';
import type { Reconnecting } from '../db/reconnecting.ts';

/** What the strategies read of a query's result (pg.QueryResult has more). */
export interface QueryRows<R = any> {
  rows: R[];
  rowCount: number | null;
}

/** A query by name is prepared once per connection and reused. */
export interface QuerySpec {
  name?: string;
  text: string;
  values?: readonly unknown[];
}

/** The part of pg.Client a strategy uses on a client connection. pg.Client is one; so is the
 *  load driver's lean connection (harness/db/lean), which must return the same rows, row counts
 *  and errors (with their SQLSTATE `code`). */
export interface PgQueryClient {
  query<R = any>(text: string, values?: readonly unknown[]): Promise<QueryRows<R>>;
  query<R = any>(spec: QuerySpec): Promise<QueryRows<R>>;
  end(): Promise<void>;
}

/** One client's connections: Postgres with search_path set to the strategy's schema, and Redis
 *  where the strategy needs it. */
export interface Conn {
  pg: PgQueryClient;
  redis?: Redis;
  ctx: StrategyContext;
  /** the Postgres backend's pid, where the driver asked for it */
  pid?: number;
  /** a multi-statement write calls this right after its first statement committed: fault
   *  injection throws there to play the application crashing mid-write */
  crashPoint?: () => void;
}

export interface Answer {
  userId: number;
  sessionId: number;
  questionJsonId: string;
  rawAnswer: string;
}

export interface RemoveTarget {
  userId: number;
  sessionId: number;
}

/** What a strategy's SQL and jobs need to know about where they run. */
export interface StrategyContext {
  schema: string;
  /** Redis keys of this strategy live under this prefix, e.g. counterbench:<run-id>:redis_queue: */
  redisPrefix: string;
  /** user ids are 1..users (see sql/seed.sql) */
  users: number;
  options: Scenario['options'];
}

/** A counter the strategy keeps, and how to read every key's value at once for the drift check. */
interface CounterBase {
  /** table.column, e.g. user_stats.total_answers_lifetime */
  name: string;
  scope: 'user' | 'session';
}

/** A counter held in Postgres: its SELECT is what the drift check and the sampler read. */
export interface PostgresCounterSpec extends CounterBase {
  source: 'postgres';
  /** SELECT returning (key, value) for every key that has a stored counter row */
  sql: string;
  /** nothing stored: the value is computed by each read, so it cannot lag and the drift sampler
   *  leaves it out (sampling it would be a COUNT(*) over all answers a few times a second) */
  computedOnRead?: boolean;
}

/** A counter held in Redis: the strategy's readRedisCounters reads it. */
export interface RedisCounterSpec extends CounterBase {
  source: 'redis';
  sql?: undefined;
  computedOnRead?: undefined;
}

export type CounterSpec = PostgresCounterSpec | RedisCounterSpec;

export interface JobContext extends StrategyContext {
  /** a Postgres connection in the strategy's schema that is replaced when its backend is lost
   *  (get() it for every step); the job owns and ends it */
  connectPg(): Promise<Reconnecting>;
  /** a fresh Redis connection; ioredis reconnects it on its own after Redis comes back; the job
   *  owns and closes it */
  connectRedis(): Promise<Redis>;
  /** called by a job when a background action worth marking on the timeline happened */
  mark(event: JobEvent): void;
}

export interface JobEvent {
  kind: string;
  /** when it started, epoch ms */
  at: number;
  durationMs: number;
  error?: string;
  /** what it worked on, e.g. the table an autovacuum run vacuumed */
  detail?: string;
}

/** A background process of the strategy: MV refresher, queue worker, syncer. */
export interface Job {
  name: string;
  /** stop the loop after finishing the current step; resolves when stopped */
  stop(): Promise<void>;
  /** finish all pending work (queue empty, last refresh or sync done after the load ended) */
  drain(): Promise<void>;
}

/** A batch's answers per user and per session: what an application that counts a batch itself
 *  adds. */
export interface BatchCounts {
  rows: number;
  byUser: Map<number, number>;
  bySession: Map<number, number>;
}

/** How a batch of answers (multi-row INSERTs or COPY, many rows in one transaction) is counted.
 *  Required of every strategy, so that a new one says whether the batch phase can take it. */
export type BatchCounting =
  /** the server counts whatever an INSERT or COPY adds (its triggers, a view refreshed by its
   *  job, a COUNT at read time, or nothing at all): the rows go in as they are */
  | { kind: 'server' }
  /** the application counts the batch itself, per user and session: inside the batch's
   *  transaction before its COMMIT (begun with `begin`, default BEGIN), or after the COMMIT */
  | { kind: 'application'; when: 'in-transaction' | 'after-commit'; begin?: string; count(c: Conn, b: BatchCounts): Promise<void> }
  /** it has no batch path; why */
  | { kind: 'none'; reason: string };

/** One strategy. `Id` is its literal id, so that the registry (registry.ts) can check that each
 *  module is filed under its own id: define one with defineStrategy(). */
export interface Strategy<Id extends string = string> {
  id: Id;
  title: string;
  /** where the pattern comes from: the analysis's variant, or the practice it is taken from */
  origin: string;
  counters: CounterSpec[];
  /** needs Redis to run; skipped with a reason when none is available */
  needsRedis?: boolean;
  /** its write or remove is several statements, each committed on its own: after a failure
   *  part-way the first has already happened, so the driver must not run the whole thing again */
  multiStatement?: boolean;
  /** Run the strategy's DDL inside its schema (search_path is set); throw to report it
   *  not deployable, with Postgres's error as the reason. */
  deploy(c: pg.Client, ctx: StrategyContext): Promise<void>;
  /** Bring the strategy's counters in line with the seeded answers (backfill). */
  backfill(c: Conn, ctx: StrategyContext): Promise<void>;
  /** what the app does to save one answer */
  write(c: Conn, a: Answer): Promise<void>;
  /** how a multi-row INSERT or COPY of many answers is counted (the batch phase) */
  batch: BatchCounting;
  /** what the app does to show the user's answer count */
  read(c: Conn, userId: number): Promise<number>;
  /** its read returns the user's answer count, so every read is judged against what was
   *  acknowledged; false for baseline, whose read is a point lookup of a row nobody updates */
  readsCounter: boolean;
  /** what the app does to delete the session's latest answer; true when a row was deleted */
  remove(c: Conn, t: RemoveTarget): Promise<boolean>;
  jobs?(ctx: JobContext): Promise<Job[]>;
  /** values of Redis-held counters, key → value (redis-queue) */
  readRedisCounters?(redis: Redis, ctx: StrategyContext): Promise<Map<number, number>>;
  /** remove what the strategy left outside Postgres (Redis keys) */
  cleanup?(redis: Redis | undefined, ctx: StrategyContext): Promise<void>;
}

/** A strategy with its id as a literal type (what the registry checks its key against). */
export function defineStrategy<const Id extends string>(s: Strategy<Id>): Strategy<Id> {
  return s;
}
