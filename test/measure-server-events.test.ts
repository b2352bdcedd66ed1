import { describe, it, expect } from 'vitest';
import { startServerEventSampler } from '../harness/measure/server-events.ts';
import { connectPg } from '../harness/db/connect.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';

describe('server events', () => {
  it('puts a checkpoint on the time axis when it happens', async () => {
    const c = await connectPg(testDatabaseUrl(), { applicationName: 'counterbench:test' });
    try {
      const sampler = startServerEventSampler(testDatabaseUrl(), `counterbench_${uniqueTag()}`, 50);
      await new Promise((r) => setTimeout(r, 200));
      const before = Date.now();
      await c.query('CHECKPOINT');
      await new Promise((r) => setTimeout(r, 200));
      const events = await sampler.stop();
      const cps = events.filter((e) => e.kind === 'checkpoint');
      expect(cps).toHaveLength(1);
      expect(cps[0].at).toBeGreaterThanOrEqual(before);
      expect(events.filter((e) => e.kind !== 'checkpoint')).toEqual([]);
    } finally {
      await c.end();
    }
  });
});
