// What a reader needs to judge the numbers: versions, the machine, the settings that matter.
import os from 'node:os';
import type pg from 'pg';
import type { Environment } from '../results/types.ts';

export async function collectEnvironment(c: pg.Client, target: string, redisVersion: string | null): Promise<Environment> {
  const v = await c.query<{ version: string }>('SELECT version()');
  const all = await c.query<{ name: string; setting: string }>('SHOW ALL');
  const settings: Record<string, string> = {};
  // primary_conninfo and friends may hold a password: keep only whether they are set
  for (const r of all.rows) settings[r.name] = /conninfo|password|passphrase/i.test(r.name) && r.setting ? '(set, not shown)' : r.setting;
  return {
    postgres: { version: v.rows[0].version, settings },
    redis: redisVersion ? { version: redisVersion } : null,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    target,
  };
}
