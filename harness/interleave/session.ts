// One session of a permutation: the application's own connection (plain pg, so that the runner
// can send BEGIN and COMMIT on it and knows its backend's pid), its Redis where the strategy needs
// one, and the gate its statements pass. A session whose application died gets a new connection
// before the next permutation.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Conn, StrategyContext } from '../strategies/types.ts';
import { connectPg } from '../db/connect.ts';
import { connectRedis } from '../provision/redis.ts';
import { Gate, gatedPg, gatedRedis } from './gate.ts';
import type { InFlight } from './blocking.ts';

export interface SessionLinks {
  pgUrl: string;
  redisUrl?: string;
  applicationName: string;
}

/** A step sent and not yet finished: it waits on a lock. */
export interface Pending {
  /** index of its step in the permutation */
  index: number;
  f: InFlight;
  /** runs when it finishes, with the index of the step after which it did (undefined: at the
   *  end of the permutation) */
  finish(after: number | undefined): void;
}

export class Session {
  client!: pg.Client;
  redis?: Redis;
  pid!: number;
  gate!: Gate;
  conn!: Conn;
  inTx = false;
  dead = false;
  /** the action being stepped through statement by statement */
  action?: InFlight;
  pending?: Pending;
  private ended!: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly links: SessionLinks,
    private readonly ctx: StrategyContext,
    private readonly needsRedis: boolean,
  ) {}

  static async open(name: string, links: SessionLinks, ctx: StrategyContext, needsRedis: boolean): Promise<Session> {
    const s = new Session(name, links, ctx, needsRedis);
    await s.connect();
    return s;
  }

  private async connect(): Promise<void> {
    this.client = await connectPg(this.links.pgUrl, { schema: this.ctx.schema, applicationName: this.links.applicationName });
    this.ended = new Promise((r) => this.client.once('end', () => r()));
    this.pid = (this.client as unknown as { processID: number }).processID;
    // A deadlock is found after deadlock_timeout (1 s by default); only a superuser may lower it,
    // and without it the outcome is the same, later.
    await this.client.query(`SET deadlock_timeout = '50ms'`).catch(() => {});
    if (this.needsRedis) {
      if (!this.links.redisUrl) throw new Error('this strategy needs a Redis');
      this.redis = connectRedis(this.links.redisUrl);
      this.redis.on('error', () => {});
      await this.redis.connect();
    }
    this.wrap();
  }

  /** A new gate and the strategy's view of the connections through it. */
  private wrap(): void {
    this.gate = new Gate();
    this.conn = {
      pg: gatedPg(this.client, this.gate),
      redis: this.redis ? gatedRedis(this.redis, this.gate) : undefined,
      ctx: this.ctx,
      pid: this.pid,
    };
    this.inTx = false;
    this.dead = false;
    this.action = undefined;
    this.pending = undefined;
  }

  /** The application dies here: its connection is terminated by the server (through `observer`),
   *  and whatever it would still send fails. */
  async die(observer: pg.Client): Promise<void> {
    this.dead = true;
    this.gate.close(new Error('the application died before sending this'));
    await observer.query('SELECT pg_terminate_backend($1)', [this.pid]);
    await this.ended;
    this.redis?.disconnect();
  }

  /** Ready for the next permutation: idle, outside any transaction, on a live connection. */
  async fresh(observer: pg.Client): Promise<void> {
    if (!this.dead && (this.pending || (this.action && !this.action.settled) || this.inTx)) {
      // left waiting (an invalid permutation) or mid-transaction: end it the way a crash would
      await this.die(observer);
    }
    if (this.dead) {
      this.redis?.disconnect();
      await this.connect();
    } else this.wrap();
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
    await this.client.end().catch(() => {});
  }
}
