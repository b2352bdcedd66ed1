// One strategy's phase through the application path: an in-process `serve` (fastify, a pg.Pool)
// driven by autocannon as a library, with the same mix, keys and seed as the SQL path, and its
// figures in the same shape (harness/load/phase-result.ts), so that the drift check, read bounds
// and server cost that follow are the SQL path's, unchanged.
//
// How autocannon is driven: each connection builds its next request in setupRequest (which
// operation, whose key: the closed model draws from the connection's own stream, like a SQL
// client; the open model from one stream in send order, like the SQL path's arrival plan), and
// hears the reply in onResponse and its 'response' event, whose response time (autocannon's own
// clock, from the write of the request to the end of the reply) is what the latency histograms
// record. autocannon resets a request's context before every request; the connection's state has
// to live across them, so resetContext is turned off per client.
//
// The open model's caveat: autocannon limits its rate per connection per second (the second's
// quota is sent at once, then the connection waits for the next second), and it times a request
// from its send, not from an intended start. Its own "coordinated omission" correction assumes an
// interval of ceil(1 / rate) ms, which is 1 ms at any rate above 1/s, so it is turned off.
// HTTP latency in the open model is therefore service time, labelled so in results.json and the
// report: it is not free of coordinated omission.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { HttpFigures, OpName } from '../results/types.ts';
import type { PhaseOptions, PhaseResult } from '../load/driver.ts';
import { OpRunner } from '../load/op-runner.ts';
import { phaseWindow } from '../load/phase-window.ts';
import { assemblePhase, startProgress } from '../load/phase-result.ts';
import { createRng, deriveSeed } from '../load/rng.ts';
import { createKeyPicker } from '../load/keys.ts';
import { createOpPicker } from '../load/mix.ts';
import { startLoopDelayMonitor } from '../measure/loop-delay.ts';
import { LatencyRecorder } from '../measure/histogram.ts';
import type { ReadStart } from '../measure/read-bounds.ts';
import { startServe } from './service.ts';
import { ROUTES } from './app.ts';

export const OPEN_MODEL_CAVEAT =
  "autocannon limits its rate per connection per second and times each request from its send, not from an intended start: HTTP latency here is service time, and not free of coordinated omission (a stalled server holds back the requests that would have shown it)";

interface Pending {
  op: OpName;
  u: number;
  sentAt: number;
  measured: boolean;
  readStart: ReadStart;
  status?: number;
  body?: string;
}

interface ConnState {
  pickOp?: () => OpName;
  pickUser?: () => number;
  pending?: Pending;
}

export type ReplyOutcome =
  | { ok: true; removed?: boolean; count?: number }
  | { ok: false; kind: string; inDoubt: boolean };

/** What one reply of serve means for the phase. It runs in autocannon's event handlers, where
 *  a throw would be uncaught and end the run, so it never throws: a 2xx whose body is not the
 *  JSON serve sends is a failure of its own kind. */
export function replyOutcome(op: OpName, status: number, body: string | undefined): ReplyOutcome {
  // a 4xx was refused before anything was written; a 5xx may have written part of it
  if (status < 200 || status >= 300) return { ok: false, kind: `http-${status}`, inDoubt: op !== 'read' && status >= 500 };
  if (op === 'write') return { ok: true };
  let reply: unknown;
  try {
    reply = JSON.parse(body ?? '');
  } catch {
    reply = undefined;
  }
  const field = reply !== null && typeof reply === 'object' ? (reply as Record<string, unknown>)[op === 'delete' ? 'removed' : 'count'] : undefined;
  if (op === 'delete') {
    // the delete ran, but whether it removed a row is not known
    return typeof field === 'boolean' ? { ok: true, removed: field } : { ok: false, kind: 'http-bad-body', inDoubt: true };
  }
  return typeof field === 'number' && Number.isFinite(field) ? { ok: true, count: field } : { ok: false, kind: 'http-bad-body', inDoubt: false };
}

export async function runHttpPhase(o: PhaseOptions & { pool: number }): Promise<PhaseResult & { http: HttpFigures }> {
  const s = o.scenario;
  if (s.phases.stages.length) throw new Error('load.via http: phases.stages are not supported (autocannon runs one constant load)');
  const connections = s.load.clients;
  const server = await startServe({ strategy: o.strategy, ctx: o.ctx, pgUrl: o.pgUrl, redisUrl: o.redisUrl, pool: o.pool, port: 0, maxRetries: s.options.maxRetries });
  const loop = startLoopDelayMonitor();
  try {
    const t0 = performance.now();
    const w = phaseWindow(s, t0);
    const runner = new OpRunner(o.strategy, o.ledger, s.data.sessionsPerUser, s.options.maxRetries, {
      measureStart: w.measureStart,
      end: w.end,
      seriesSecond: (intended, done) => Math.floor(((s.load.kind === 'open' ? done : intended) - w.measureStart) / 1000),
    }, async () => {});
    const all = new LatencyRecorder();
    const states: ConnState[] = [];
    let streams = 0;
    // the open model draws in send order from one stream, as the SQL path's arrival plan does
    const shared = createRng(deriveSeed(o.seed, 1_000_003));
    const sharedPickUser = createKeyPicker(s.keys, s.data.users, shared);
    const sharedPickOp = createOpPicker(s.mix, shared);
    const state = (ctx: object): ConnState => {
      const c = ctx as { cb?: ConnState };
      if (!c.cb) {
        const st: ConnState = {};
        if (s.load.kind === 'closed') {
          const rng = createRng(deriveSeed(o.seed, streams++));
          st.pickUser = createKeyPicker(s.keys, s.data.users, rng);
          st.pickOp = createOpPicker(s.mix, rng);
        }
        c.cb = st;
        states.push(st);
      }
      return c.cb;
    };

    /** A request that never had its reply (a timeout, a broken connection): failed, and a write
     *  or delete in doubt. */
    const lost = (p: Pending, kind: string) => {
      if (p.op !== 'read') o.ledger.operationInDoubt();
      if (p.op === 'write') o.ledger.insertFailed(p.u);
      runner.failures++;
      if (!p.measured) return;
      const st = runner.stats[p.op];
      st.errors++;
      st.errorsByKind[kind] = (st.errorsByKind[kind] ?? 0) + 1;
      runner.series.record(Math.floor((performance.now() - w.measureStart) / 1000), p.op, 0, true);
    };

    const finish = (st: ConnState, responseTimeMs: number) => {
      const p = st.pending;
      if (!p) return;
      st.pending = undefined;
      const done = performance.now();
      const r = replyOutcome(p.op, p.status ?? 0, p.body);
      if (!r.ok) {
        if (r.inDoubt) o.ledger.operationInDoubt();
        if (p.op === 'write') o.ledger.insertFailed(p.u);
        runner.failures++;
        if (p.measured) {
          const op = runner.stats[p.op];
          op.errors++;
          op.errorsByKind[r.kind] = (op.errorsByKind[r.kind] ?? 0) + 1;
          runner.series.record(Math.floor(((s.load.kind === 'open' ? done : p.sentAt) - w.measureStart) / 1000), p.op, 0, true);
        }
        return;
      }
      let counted = true;
      if (p.op === 'write') o.ledger.insertAcked(p.u, done);
      else if (p.op === 'delete') {
        counted = r.removed === true;
        o.ledger.deleteAcked(p.u, counted);
      } else if (p.measured) runner.judge?.judge(p.u, r.count!, p.readStart);
      const op = runner.stats[p.op];
      if (counted) op.completed++;
      if (!p.measured) return;
      op.count++;
      op.attempts++;
      if (done > runner.lastMeasuredDone) runner.lastMeasuredDone = done;
      const us = Math.max(1, Math.round(responseTimeMs * 1000));
      op.latency.record(us);
      op.service.record(us);
      all.record(us);
      runner.series.record(Math.floor(((s.load.kind === 'open' ? done : p.sentAt) - w.measureStart) / 1000), p.op, us, false);
    };

    const sessionsPerUser = s.data.sessionsPerUser;
    const request: autocannon.Request = {
      method: 'GET',
      path: '/health',
      setupRequest: (req, ctx) => {
        const st = state(ctx);
        if (st.pending) lost(st.pending, 'connection');
        const op = st.pickOp ? st.pickOp() : sharedPickOp();
        const u = st.pickUser ? st.pickUser() : sharedPickUser();
        const now = performance.now();
        const p: Pending = { op, u, sentAt: now, measured: now >= w.measureStart && now < w.end, readStart: { at: 0, insAcked: 0, delAcked: 0 } };
        st.pending = p;
        const sessionId = u * sessionsPerUser; // the user's active session (sql/seed.sql)
        if (op === 'write') {
          o.ledger.insertBegun(u);
          req.method = 'POST';
          req.path = ROUTES.write.path;
          req.headers = { 'content-type': 'application/json' };
          req.body = `{"userId":${u},"sessionId":${sessionId}}`;
        } else if (op === 'read') {
          if (p.measured) runner.judge?.begin(u, now, p.readStart);
          req.method = 'GET';
          req.path = ROUTES.read.path(u);
          req.headers = {};
          req.body = undefined;
        } else {
          o.ledger.deleteBegun(u);
          req.method = 'DELETE';
          req.path = ROUTES.delete.path(sessionId, u);
          req.headers = {};
          req.body = undefined;
        }
        return req;
      },
      onResponse: (status, body, ctx) => {
        const p = state(ctx).pending;
        if (p) {
          p.status = status;
          p.body = body;
        }
      },
    };

    const stopProgress = startProgress(o, w, () => ({ measured: runner.measuredCount(), failures: runner.failures, write: runner.stats.write.latency }));
    let result: autocannon.Result;
    try {
      const instance = autocannon({
        url: server.url,
        connections,
        pipelining: 1,
        duration: (w.end - t0) / 1000,
        timeout: 10,
        requests: [request],
        ...(s.load.kind === 'open' ? { overallRate: Math.max(1, Math.round(s.load.rate)), ignoreCoordinatedOmission: true } : {}),
        setupClient: (client) => {
          const it = (client as unknown as { requestIterator?: { context: object; resetContext: () => void } }).requestIterator;
          if (!it) throw new Error('autocannon changed: its client has no requestIterator (counterbench needs the connection state to outlive a request)');
          it.resetContext = () => {};
          const st = state(it.context);
          client.on('response', (_status: number, _bytes: number, responseTime: number) => finish(st, responseTime));
        },
      }, () => {});
      const stop = () => (instance as unknown as { stop(): void }).stop();
      o.signal?.addEventListener('abort', stop, { once: true });
      try {
        result = await new Promise<autocannon.Result>((resolve, reject) => {
          instance.on('done', resolve);
          instance.on('error', reject);
        });
      } finally {
        o.signal?.removeEventListener('abort', stop);
      }
    } finally {
      stopProgress();
    }
    const loadEnded = performance.now();
    // requests autocannon left in flight when it stopped: their replies will never be read
    let cutOff = 0;
    for (const st of states) {
      if (!st.pending) continue;
      cutOff++;
      if (st.pending.op !== 'read') o.ledger.operationInDoubt();
      if (st.pending.op === 'write') o.ledger.insertFailed(st.pending.u);
      st.pending = undefined;
    }
    // autocannon sends a second's quota at once (open model): the last replies of the measured
    // part may come long before its end, so throughput divides by the whole measured part
    runner.lastMeasuredDone = Math.max(runner.lastMeasuredDone, Math.min(loadEnded, w.end));
    const harness = loop.stop();
    const phase = assemblePhase(o, runner, w, { reconnects: 0, appCrashes: 0, dropped: 0, loadEnded, aborted: o.signal?.aborted === true, harness });
    const codes: Record<string, number> = {};
    for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) codes[code] = v?.count ?? 0;
    const sum = all.summary();
    return {
      ...phase,
      http: {
        pool: o.pool,
        connections,
        latencyKind: 'service-time',
        ...(s.load.kind === 'open' ? { caveat: OPEN_MODEL_CAVEAT } : {}),
        autocannon: {
          requestsSent: result.requests.sent,
          responses: Object.values(codes).reduce((a, b) => a + b, 0),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes: codes,
        },
        latencyMs: { mean: sum.mean, p50: sum.p50, p95: sum.p95, p99: sum.p99, max: sum.max },
        cutOff,
      },
    };
  } finally {
    loop.stop();
    await server.close();
  }
}

