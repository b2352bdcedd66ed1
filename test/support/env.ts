import { inject } from 'vitest';
import crypto from 'node:crypto';

/** The suite's Postgres (see global-setup.ts). */
export const testDatabaseUrl = (): string => inject('databaseUrl');
/** The suite's Redis (see global-setup.ts). */
export const testRedisUrl = (): string => inject('redisUrl');
/** A short random tag, so that tests never share a schema or a Redis key. */
export const uniqueTag = (): string => 't' + crypto.randomBytes(4).toString('hex');
