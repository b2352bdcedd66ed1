// The ticking and the connection the samplers (locks, drift) share: one dedicated connection each,
// one sample at a time (a slow sample delays the next instead of piling up), reconnect after an
// error, and a stop that waits for the sample in flight.
import pg from 'pg';
import { MEASURE_TAG } from './server-statements.ts';

/** Every sampler's application_name starts with this; samplers never count each other. */
export const MEASURE_APP_PREFIX = 'counterbench-measure';

export interface SamplerConnectionOptions {
  url: string;
  applicationName: string;
  /** search_path, for samplers that read a strategy's tables */
  schema?: string;
}

export async function connectSampler(o: SamplerConnectionOptions): Promise<pg.Client> {
  const c = new pg.Client({
    connectionString: o.url,
    application_name: o.applicationName,
    connectionTimeoutMillis: 10_000,
    // A sample that takes seconds says nothing about "now" any more; give it up.
    statement_timeout: 5_000,
  });
  // An idle client whose backend dies emits 'error'; the next query fails and reconnects.
  c.on('error', () => {});
  await c.connect();
  if (o.schema) await c.query(`${MEASURE_TAG} SELECT set_config('search_path', quote_ident($1), false)`, [o.schema]);
  return c;
}

export interface SamplerLoop {
  /** stops after the sample in flight (then takes one more when `final`); resolves when the
   *  connection is closed */
  stop(opts?: { final?: boolean }): Promise<void>;
  errors(): { count: number; last?: string };
}

/** Calls `tick(client)` every `intervalMs` (measured start to start) until stopped. */
export function runSamplerLoop(
  conn: SamplerConnectionOptions,
  intervalMs: number,
  tick: (c: pg.Client) => Promise<void>,
): SamplerLoop {
  let stopping = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let errorCount = 0;
  let lastError: string | undefined;
  let client: pg.Client | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      try {
        client ??= await connectSampler(conn);
        await tick(client);
      } catch (e) {
        errorCount++;
        lastError = (e as Error).message;
        // The connection may be what failed: start over with a fresh one next time.
        await client?.end().catch(() => {});
        client = undefined;
      }
      if (stopping) break;
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();

  return {
    async stop(opts = {}) {
      stopping = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
      try {
        if (opts.final) {
          client ??= await connectSampler(conn);
          await tick(client);
        }
      } catch (e) {
        errorCount++;
        lastError = (e as Error).message;
      } finally {
        await client?.end().catch(() => {});
        client = undefined;
      }
    },
    errors: () => ({ count: errorCount, last: lastError }),
  };
}
