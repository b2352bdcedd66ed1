// redis-after-commit's flusher hands the buffer off before it applies it, and applies a batch at
// most once: a flusher process killed (SIGKILL) mid-flush, at either step, loses no increment and
// counts none twice once a flusher runs again.
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { deployForTest, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl, testRedisUrl } from './support/env.ts';
import { exactCheck } from '../harness/measure/drift.ts';
import { flushBuffered } from '../harness/strategies/redis-after-commit.ts';

let d: DeployedStrategy | undefined;
afterEach(async () => {
  await d?.teardown();
  d = undefined;
});

async function write(n: number, from = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    const userId = ((from + i) % 4) + 1;
    await d!.strategy.write(d!.conn, { userId, sessionId: userId * 2, questionJsonId: `q${i}`, rawAnswer: 'x' });
  }
}

async function lost(): Promise<number> {
  const [c] = await exactCheck(d!.conn.pg, d!.conn.redis, d!.strategy, d!.ctx);
  expect(c.extra).toBe(0);
  return c.lost;
}

/** A flusher process that stops at `point` of its flush: resolves once it is there, killed. */
async function killFlusherAt(point: 'after-hand-off' | 'after-apply'): Promise<void> {
  const child = spawn(process.execPath, [new URL('./support/flusher-child.mjs', import.meta.url).pathname, testDatabaseUrl(), testRedisUrl(), d!.ctx.schema, d!.ctx.redisPrefix, point], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (s: string) => {
      out += s;
      if (out.includes(`stopped ${point}`)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the flusher exited (${code}) before ${point}: ${out}`)));
  });
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  const [, signal] = await exited;
  expect(signal).toBe('SIGKILL');
}

const keys = async () => (await d!.conn.redis!.keys(`${d!.ctx.redisPrefix}*`)).map((k) => k.slice(d!.ctx.redisPrefix.length)).sort();

describe('redis-after-commit flusher', () => {
  it('killed between the hand-off and the apply: the next flush applies the handed-off batch, and the new buffer', async () => {
    d = await deployForTest('redis-after-commit');
    await write(40);
    expect(await lost()).toBe(40);
    await killFlusherAt('after-hand-off');
    // the buffer is gone from where writes go, but not lost: its batch waits in Redis
    expect(await keys()).toEqual([expect.stringMatching(/^batch:/), 'batches']);
    expect(await lost()).toBe(40);
    // writes go on meanwhile, into a new buffer
    await write(5, 40);
    const r = await flushBuffered(d.conn.redis!, d.conn.pg, d.ctx);
    expect(r).toEqual({ batches: 2, increments: 45 });
    expect(await lost()).toBe(0);
    expect(await keys()).toEqual([]);
    expect(await d.strategy.read(d.conn, 1)).toBe(3 + 12);
  });

  it('killed between the apply and the removal of its batch: the next flush does not count the batch again', async () => {
    d = await deployForTest('redis-after-commit');
    await write(24);
    await killFlusherAt('after-apply');
    // applied, and still in Redis
    expect(await lost()).toBe(0);
    expect(await keys()).toEqual([expect.stringMatching(/^batch:/), 'batches']);
    const r = await flushBuffered(d.conn.redis!, d.conn.pg, d.ctx);
    expect(r).toEqual({ batches: 1, increments: 0 });
    expect(await lost()).toBe(0);
    expect(await keys()).toEqual([]);
    const applied = await d.conn.pg.query('SELECT count(*)::int AS n FROM redis_flushes_applied');
    expect(applied.rows[0].n).toBe(1);
  });
});
