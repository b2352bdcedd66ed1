// How the driver tells failures apart: by SQLSTATE class, as Postgres groups them, so that
// results say "40: transaction rollback" rather than one opaque error count.

export type ErrorAction = 'retry' | 'reconnect' | 'fail';

/** The application "crashed" between two statements of a write (an injected fault): what it
 *  committed stays, the rest never runs, and its connection is gone. */
export class AppCrash extends Error {
  constructor() {
    super('the application crashed between the INSERT and the counter update (injected fault)');
    this.name = 'AppCrash';
  }
}

// ioredis's own words when its connection is down: with the offline queue off, a command fails
// at once instead of waiting for Redis to come back
const REDIS_DOWN = /Stream isn't writeable|enableOfflineQueue|Connection is closed|Reached the max retries per request/;

/** An error of ioredis that only says its connection is down. */
export const isRedisDown = (e: unknown): boolean => REDIS_DOWN.test(String((e as Error)?.message ?? e));

export interface ErrorKind {
  /** SQLSTATE class ('40', '23', …), 'connection' or 'client' */
  kind: string;
  action: ErrorAction;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

export function classifyError(e: unknown): ErrorKind {
  if (e instanceof AppCrash) return { kind: 'app-crash', action: 'reconnect' };
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (RETRYABLE.has(code)) return { kind: code.slice(0, 2), action: 'retry' };
    // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now
    if (code.startsWith('08') || code.startsWith('57P')) return { kind: 'connection', action: 'reconnect' };
    return { kind: code.slice(0, 2), action: 'fail' };
  }
  const msg = String((e as Error)?.message ?? e);
  // Redis, not Postgres: the Postgres connection is fine and ioredis reconnects by itself
  if (isRedisDown(e)) return { kind: 'redis', action: 'fail' };
  if (/terminat|ECONNRESET|ECONNREFUSED|EPIPE|not queryable|Connection|socket|closed/i.test(msg)) {
    return { kind: 'connection', action: 'reconnect' };
  }
  return { kind: 'client', action: 'fail' };
}
