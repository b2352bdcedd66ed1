// counterbench serve's app against a Postgres this test owns (an embedded one, restarted here;
// the suite's shared server is never restarted): bad requests get 4xx JSON, the database going
// away gets 503s and no crash, and the service serves again once the server is back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../harness/provision/embedded.ts';
import { connectPg } from '../harness/db/connect.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import { exactCheck } from '../harness/measure/drift.ts';
import { strategyById } from '../harness/strategies/index.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import type { StrategyContext } from '../harness/strategies/types.ts';
import { startServe, type RunningServe } from '../harness/serve/service.ts';

const strategy = strategyById('trigger-fixed')!;
const data = { users: 20, sessionsPerUser: 1, answersPerUser: 3, answersSkew: 0 };
const ctx: StrategyContext = { schema: 'counterbench_srvtest_trigger_fixed', redisPrefix: 'counterbench:srvtest:', users: data.users, options: scenarioFromObject({}).options };

let pgServer: EmbeddedServer;
let admin: pg.Client;
let serve: RunningServe;

async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> {
  const r = await fetch(serve.url + path, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  pgServer = await startEmbeddedPostgres();
  admin = await connectPg(pgServer.url, { applicationName: 'counterbench:srvtest' });
  const d = await deployStrategy(pgServer.url, admin, strategy, ctx, data, undefined);
  expect(d.status).toBe('ok');
  serve = await startServe({ strategy, ctx, pgUrl: pgServer.url, pool: 4, port: 0, maxRetries: 3 });
}, 120_000);

afterAll(async () => {
  await serve?.close();
  await admin?.end().catch(() => {});
  await pgServer?.stop();
});

describe('counterbench serve', () => {
  it('answers bad requests with a 4xx and a JSON error naming what is wrong', async () => {
    const cases: Array<[string, string, unknown, string | undefined, number, RegExp]> = [
      ['POST', '/answers', { userId: 1 }, undefined, 400, /sessionId/],
      ['POST', '/answers', { userId: 'one', sessionId: 1 }, undefined, 400, /userId/],
      ['POST', '/answers', { userId: 21, sessionId: 21 }, undefined, 400, /userId must be <= 20/],
      ['POST', '/answers', { userId: 1, sessionId: 1, extra: true }, undefined, 400, /additional/],
      ['POST', '/answers', undefined, '{not json', 400, /JSON/],
      ['GET', '/users/0/answer-count', undefined, undefined, 400, /userId/],
      ['GET', '/users/abc/answer-count', undefined, undefined, 400, /userId/],
      ['DELETE', '/sessions/1/latest-answer', undefined, undefined, 400, /userId/],
      ['GET', '/no-such-route', undefined, undefined, 404, /no route GET \/no-such-route/],
      // a session that does not exist: Postgres's foreign key says no, the service says conflict
      ['POST', '/answers', { userId: 1, sessionId: 999 }, undefined, 409, /foreign key/],
    ];
    for (const [method, path, body, raw, status, message] of cases) {
      const r = await call(method, path, body, raw);
      expect({ method, path, status: r.status }).toEqual({ method, path, status });
      expect(typeof r.json.error).toBe('string');
      expect(r.json.message).toMatch(message);
    }
    // and it still serves
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('saves, counts and deletes through the strategy, and the counters match the rows', async () => {
    expect((await call('POST', '/answers', { userId: 2, sessionId: 2 })).status).toBe(201);
    expect((await call('POST', '/answers', { userId: 2, sessionId: 2, questionJsonId: 'q9', rawAnswer: 'yes' })).status).toBe(201);
    expect((await call('GET', '/users/2/answer-count')).json).toEqual({ userId: 2, count: data.answersPerUser + 2 });
    expect((await call('DELETE', '/sessions/2/latest-answer?userId=2')).json).toEqual({ removed: true });
    expect((await call('GET', '/users/2/answer-count')).json.count).toBe(data.answersPerUser + 1);
    const c = await connectPg(pgServer.url, { schema: ctx.schema, applicationName: 'counterbench:srvtest:check' });
    try {
      const drift = await exactCheck(c, undefined, strategy, ctx);
      expect(drift.length).toBeGreaterThan(0);
      for (const k of drift) expect(k.usersInconsistent).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('gives 503s while the database restarts, does not crash, and serves again after', async () => {
    // the pool holds idle connections whose backends the restart kills
    await Promise.all([1, 2, 3].map((u) => call('GET', `/users/${u}/answer-count`)));
    await admin.end().catch(() => {});
    const statuses: number[] = [];
    let restarted = false;
    const restart = pgServer.restart().then(() => (restarted = true));
    while (!restarted) {
      const [w, h] = await Promise.all([call('POST', '/answers', { userId: 3, sessionId: 3 }), call('GET', '/health')]);
      statuses.push(w.status, h.status);
      if (w.status === 503) expect(w.json).toMatchObject({ error: 'unavailable' });
      await new Promise((r) => setTimeout(r, 10));
    }
    await restart;
    expect(statuses).toContain(503);
    expect(statuses.every((s) => s === 201 || s === 200 || s === 503)).toBe(true);
    // back: every request succeeds again on fresh pool connections
    let ok = 0;
    for (let i = 0; i < 10; i++) if ((await call('POST', '/answers', { userId: 4, sessionId: 4 })).status === 201) ok++;
    expect(ok).toBe(10);
    expect((await call('GET', '/health')).json.status).toBe('ok');
    expect((await call('GET', '/users/4/answer-count')).json.count).toBe(data.answersPerUser + 10);
  }, 60_000);
});
