// A long-lived harness connection (admin, a strategy's check connection) that outlives the loss
// of its backend: pg_terminate_backend, a Postgres restart, a network blip. Whoever was using it
// when it broke sees the error (so only the strategy running at that moment is marked); the next
// get() opens a fresh connection, waiting a while for a restarting server to come back.
import type pg from 'pg';
import { connectPg, type ConnectOptions } from './connect.ts';

export interface Reconnecting {
  /** a live client: the current one, or a new one when the current one broke */
  get(): Promise<pg.Client>;
  /** how many times a broken connection was replaced */
  readonly reconnects: number;
  /** the current backend's pid (null before the server said) */
  pid(): number | null;
  end(): Promise<void>;
}

export interface ReconnectingOptions extends ConnectOptions {
  /** how long get() keeps trying while the server does not answer (default 30 s) */
  waitMs?: number;
  /** runs on every new connection, the first included, before anyone uses it */
  onConnect?: (c: pg.Client) => Promise<void>;
  /** called once per replaced connection, with why the old one broke */
  onReconnect?: (why: string) => void;
}

interface Held {
  client: pg.Client;
  broken?: string;
}

export async function reconnecting(url: string, o: ReconnectingOptions): Promise<Reconnecting> {
  const open = async (): Promise<Held> => {
    const client = await connectPg(url, o);
    const held: Held = { client };
    // a backend that dies emits 'error' (idle) or 'end'; either way this client is done
    client.on('error', (e) => (held.broken ??= e.message));
    client.on('end', () => (held.broken ??= 'the connection ended'));
    try {
      await o.onConnect?.(client);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return held;
  };
  let held = await open();
  let reconnects = 0;
  let ended = false;
  let pending: Promise<Held> | undefined;

  const replace = async (why: string): Promise<Held> => {
    const deadline = Date.now() + (o.waitMs ?? 30_000);
    await held.client.end().catch(() => {});
    for (;;) {
      if (ended) throw new Error('connection closed by the harness');
      try {
        const h = await open();
        reconnects++;
        o.onReconnect?.(why);
        return h;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`Postgres did not come back within ${Math.round((o.waitMs ?? 30_000) / 1000)} s after "${why}": ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  return {
    async get() {
      if (held.broken === undefined) return held.client;
      // one replacement at a time, however many callers noticed
      pending ??= replace(held.broken).finally(() => (pending = undefined));
      held = await pending;
      return held.client;
    },
    get reconnects() {
      return reconnects;
    },
    // node-postgres keeps the BackendKeyData pid but does not declare it
    pid: () => (held.client as unknown as { processID: number | null }).processID ?? null,
    async end() {
      ended = true;
      await held.client.end().catch(() => {});
    },
  };
}
