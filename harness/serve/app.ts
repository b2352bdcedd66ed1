// The application's write and read path for one strategy as a small HTTP service: what a
// Selfology-like service does behind a connection pool (save an answer, show the count, delete a
// session's latest answer), with the strategy's own write/read/remove on a pg.Pool client.
// Requests are validated by JSON schema; a database (or Redis) that is down is a 503, never a
// crash, and the pool recovers by itself when the server is back (its broken clients are
// discarded, new ones connect on the next request).
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Answer, Conn, Strategy, StrategyContext } from '../strategies/types.ts';
import { classifyError } from '../load/error-kind.ts';

/** The routes, for clients (autocannon, the k6 scripts) to build their requests from. */
export const ROUTES = {
  write: { method: 'POST', path: '/answers' },
  read: { method: 'GET', path: (userId: number) => `/users/${userId}/answer-count` },
  delete: { method: 'DELETE', path: (sessionId: number, userId: number) => `/sessions/${sessionId}/latest-answer?userId=${userId}` },
  health: { method: 'GET', path: '/health' },
} as const;

export interface ServeAppOptions {
  strategy: Strategy;
  ctx: StrategyContext;
  pool: pg.Pool;
  redis?: Redis;
  /** retries of serialization failures and deadlocks, as the load driver does */
  maxRetries: number;
}

/** What a failed request answers: the HTTP status and a JSON body naming the kind of failure. */
export function errorReply(e: unknown): { status: number; body: { error: string; message: string } } {
  const k = classifyError(e);
  const message = (e as Error)?.message ?? String(e);
  if (k.kind === 'connection' || k.kind === 'redis') return { status: 503, body: { error: 'unavailable', message: `${k.kind === 'redis' ? 'Redis' : 'the database'} is unavailable: ${message}` } };
  if (k.kind === '23') return { status: 409, body: { error: 'conflict', message } };
  if (k.kind === '40') return { status: 503, body: { error: 'contention', message } };
  return { status: 500, body: { error: 'internal', message } };
}

const id = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

export function buildServeApp(o: ServeAppOptions): FastifyInstance {
  // an unknown field is refused, not silently dropped (fastify's default strips it)
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false } } });
  const { strategy, ctx, pool } = o;

  /** Runs one operation on a pool client: retried like the driver retries it, the client
   *  discarded when its connection broke so that the pool replaces it. */
  async function withConn<T>(op: 'read' | 'write' | 'delete', f: (c: Conn) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // a checked-out client whose backend dies emits 'error' on itself, not on the pool: with
      // no listener that would end the process
      const onError = (e: Error) => (broken ??= e);
      client.on('error', onError);
      try {
        return await f({ pg: client, redis: o.redis, ctx });
      } catch (e) {
        const k = classifyError(e);
        if (k.action === 'reconnect') broken = e as Error;
        const again = k.action === 'retry' && attempt < o.maxRetries && (op === 'read' || !strategy.multiStatement);
        if (!again) throw e;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  app.setErrorHandler((e: FastifyError, _req, reply) => {
    if (e.validation) return reply.code(400).send({ error: 'bad-request', message: e.message });
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: 'bad-request', message: e.message });
    }
    const r = errorReply(e);
    return reply.code(r.status).send(r.body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  app.post<{ Body: { userId: number; sessionId: number; questionJsonId?: string; rawAnswer?: string } }>(
    ROUTES.write.path,
    {
      schema: {
        body: {
          type: 'object',
          required: ['userId', 'sessionId'],
          additionalProperties: false,
          properties: {
            userId: { ...id, maximum: ctx.users },
            sessionId: id,
            questionJsonId: { type: 'string', minLength: 1, maxLength: 200 },
            rawAnswer: { type: 'string', maxLength: 10_000 },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const a: Answer = { userId: b.userId, sessionId: b.sessionId, questionJsonId: b.questionJsonId ?? 'q-http', rawAnswer: b.rawAnswer ?? 'an answer saved through counterbench serve' };
      await withConn('write', (c) => strategy.write(c, a));
      return reply.code(201).send({ saved: true });
    },
  );

  app.get<{ Params: { userId: number } }>(
    '/users/:userId/answer-count',
    { schema: { params: { type: 'object', required: ['userId'], properties: { userId: { ...id, maximum: ctx.users } } } } },
    async (req) => {
      const count = await withConn('read', (c) => strategy.read(c, req.params.userId));
      return { userId: req.params.userId, count };
    },
  );

  app.delete<{ Params: { sessionId: number }; Querystring: { userId: number } }>(
    '/sessions/:sessionId/latest-answer',
    {
      schema: {
        params: { type: 'object', required: ['sessionId'], properties: { sessionId: id } },
        querystring: { type: 'object', required: ['userId'], additionalProperties: false, properties: { userId: { ...id, maximum: ctx.users } } },
      },
    },
    async (req) => {
      const removed = await withConn('delete', (c) => strategy.remove(c, { userId: req.query.userId, sessionId: req.params.sessionId }));
      return { removed };
    },
  );

  app.get(ROUTES.health.path, async (_req, reply) => {
    try {
      await pool.query('SELECT 1');
      if (o.redis) await o.redis.ping();
      return { status: 'ok', strategy: strategy.id, schema: ctx.schema, pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } };
    } catch (e) {
      const r = errorReply(e);
      return reply.code(r.status === 500 ? 503 : r.status).send(r.body);
    }
  });
  return app;
}
