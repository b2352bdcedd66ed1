// The seam between a strategy's own code and the permutation runner: every statement the
// strategy sends (to Postgres or Redis) passes a gate. Open, they pass at once; stepped, each
// waits until the runner lets it through, so that one action (a write of manual-update: INSERT,
// then three UPDATEs) can be run one statement per step, with other sessions' steps between.
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { PgQueryClient, QueryRows, QuerySpec } from '../strategies/types.ts';

/** A statement waiting at the gate. */
export interface Arrival {
  text: string;
  /** sends it; the promise is the statement's own */
  send(): Promise<unknown>;
  refuse(e: Error): void;
}

export class Gate {
  private stepped = false;
  private arrivals: Arrival[] = [];
  private notify?: () => void;
  private closed?: Error;
  /** what passed while open, since the last take() */
  private passed: string[] = [];

  /** Statements wait for let() from now on. */
  step(): void {
    this.stepped = true;
  }

  /** Statements pass at once from now on, those waiting included. */
  open(): void {
    this.stepped = false;
    for (const a of this.arrivals.splice(0)) {
      this.passed.push(a.text);
      void a.send().catch(() => {});
    }
  }

  /** The application is gone: whatever it would still send fails with `why`. */
  close(why: Error): void {
    this.closed = why;
    for (const a of this.arrivals.splice(0)) a.refuse(why);
  }

  /** The texts that passed while open since the last call. */
  take(): string[] {
    return this.passed.splice(0);
  }

  pass<T>(text: string, send: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    if (!this.stepped) {
      this.passed.push(text);
      return send();
    }
    return new Promise<T>((resolve, reject) => {
      this.arrivals.push({
        text,
        send: () => {
          const p = send();
          p.then(resolve, reject);
          return p;
        },
        refuse: reject,
      });
      this.notify?.();
    });
  }

  /** The next statement at the gate, or undefined once `done` settles first (the action sent
   *  no more). */
  async next(done: Promise<unknown>): Promise<Arrival | undefined> {
    let finished = false;
    void done.then(
      () => (finished = true),
      () => (finished = true),
    );
    for (;;) {
      const a = this.arrivals.shift();
      if (a) return a;
      if (finished) return undefined;
      await new Promise<void>((r) => {
        this.notify = r;
        void done.then(
          () => r(),
          () => r(),
        );
      });
      this.notify = undefined;
    }
  }
}

/** SQL text as one line, for the timeline. */
export function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/** A strategy's Postgres connection whose every query passes the gate. */
export function gatedPg(c: pg.Client, gate: Gate): PgQueryClient {
  const query = (a: string | QuerySpec, values?: readonly unknown[]): Promise<QueryRows> => {
    const spec: QuerySpec = typeof a === 'string' ? { text: a, values } : a;
    return gate.pass(oneLine(spec.text), () => c.query({ name: spec.name, text: spec.text, values: spec.values as unknown[] | undefined }));
  };
  return { query: query as PgQueryClient['query'], end: () => c.end() };
}

// Transactions and pipelines are not single statements: they pass as the calls that build
// them, and their commands go out together at exec().
const NOT_GATED = new Set(['multi', 'pipeline', 'exec', 'quit', 'disconnect', 'duplicate']);

/** A strategy's Redis connection whose every command passes the gate. */
export function gatedRedis(r: Redis, gate: Gate): Redis {
  const commands = new Set(r.getBuiltinCommands());
  return new Proxy(r, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof prop !== 'string' || typeof v !== 'function') return v;
      if (!commands.has(prop) || NOT_GATED.has(prop)) return v.bind(target);
      return (...args: unknown[]) => gate.pass(`${prop.toUpperCase()} ${args.map(String).join(' ')}`, () => v.apply(target, args));
    },
  });
}
