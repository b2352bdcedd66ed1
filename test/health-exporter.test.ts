// check --serve: the exporter's metrics against a real schema with drift made by hand, through
// the database going away (a proxy cut) and coming back, the incremental mode, and the bad input
// that must exit 2 before it serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createExporter, type Exporter } from '../harness/health/exporter.ts';
import { serveMetrics, type MetricsServer } from '../harness/metrics/serve.ts';
import { checkServeCommand } from '../harness/cli/check-serve.ts';
import { deployForTest, type DeployedStrategy } from './support/deployed.ts';
import { testDatabaseUrl } from './support/env.ts';
import { tcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { freePort } from '../harness/provision/free-port.ts';

let d: DeployedStrategy;
let proxy: TcpProxy;
let proxiedUrl: string;

/** The value of one series in a /metrics text, or undefined when it is not there. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  // trigger-upsert: an exact strategy, so any drift is the drift this test makes
  d = await deployForTest('trigger-upsert', { users: 20, sessionsPerUser: 1, answersPerUser: 3, answersSkew: 0 });
  // two users lose an increment, one session counts one too many
  await d.admin.query(`UPDATE ${d.ctx.schema}.user_stats SET total_answers_lifetime = total_answers_lifetime - 1 WHERE user_id IN (3, 4)`);
  await d.admin.query(`UPDATE ${d.ctx.schema}.onboarding_sessions SET questions_answered = questions_answered + 1 WHERE user_id = 5`);
  const u = new URL(testDatabaseUrl());
  proxy = await tcpProxy(u.hostname, Number(u.port || 5432));
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  proxiedUrl = u.toString();
});

afterAll(async () => {
  await proxy?.close();
  await d?.teardown();
});

describe('check --serve', () => {
  let ex: Exporter;
  let server: MetricsServer;
  const scrape = async () => (await fetch(server.url)).text();
  const l = (counter: string) => `{schema="${d.ctx.schema}",counter="${counter}"}`;
  const us = 'user_stats.total_answers_lifetime';
  const os = 'onboarding_sessions.questions_answered';

  it('exports what the check finds, keeps serving with up 0 while the database is away, and recovers', async () => {
    ex = createExporter({ url: proxiedUrl, schema: d.ctx.schema, intervalMs: 60_000 });
    server = await serveMetrics(ex.registry, { host: '127.0.0.1', port: 0, flag: '--port' });
    try {
      const first = await ex.first();
      expect(first.ok).toBe(true);
      let m = await scrape();
      expect(m).toContain('# TYPE inconsistent_counters_total gauge');
      expect(m).toContain('# TYPE counter_consistency_rate gauge');
      expect(valueOf(m, `inconsistent_counters_total${l(us)}`)).toBe(2);
      expect(valueOf(m, `counterbench_counter_lost${l(us)}`)).toBe(2);
      expect(valueOf(m, `counter_consistency_rate${l(us)}`)).toBe(0.9);
      expect(valueOf(m, `inconsistent_counters_total${l(os)}`)).toBe(1);
      expect(valueOf(m, `counterbench_counter_extra${l(os)}`)).toBe(1);
      expect(valueOf(m, `inconsistent_counters_total${l('digital_personality.total_answers_analyzed')}`)).toBe(0);
      expect(valueOf(m, `counterbench_check_up{schema="${d.ctx.schema}"}`)).toBe(1);

      await proxy.down();
      const failed = await ex.checkOnce();
      expect(failed).toMatchObject({ ok: false, error: 'connection' });
      m = await scrape();
      expect(valueOf(m, `counterbench_check_up{schema="${d.ctx.schema}"}`)).toBe(0);
      expect(valueOf(m, `counterbench_check_failures_total{schema="${d.ctx.schema}",reason="connection"}`)).toBe(1);
      expect(valueOf(m, `counterbench_check_last_error_info{schema="${d.ctx.schema}",reason="connection"}`)).toBe(1);
      // figures of a check that could not be made are withdrawn, not left to look current
      expect(valueOf(m, `inconsistent_counters_total${l(us)}`)).toBeUndefined();

      await proxy.up();
      const back = await ex.checkOnce();
      expect(back.ok).toBe(true);
      m = await scrape();
      expect(valueOf(m, `counterbench_check_up{schema="${d.ctx.schema}"}`)).toBe(1);
      expect(valueOf(m, `inconsistent_counters_total${l(us)}`)).toBe(2);
      expect(m).not.toContain('counterbench_check_last_error_info{');
    } finally {
      await ex.stop();
      await server.close();
    }
  });

  it('incremental: checks the users and sessions of the new answers only, exactly', async () => {
    const inc = createExporter({ url: testDatabaseUrl(), schema: d.ctx.schema, intervalMs: 60_000, incremental: { recent: 0, recheckIds: 0 } });
    try {
      const first = await inc.first();
      expect(first.counters!.find((k) => k.name === us)!.usersChecked).toBe(0);
      // user 3 (drifted) and user 8 (exact) answer again; the trigger counts both answers
      for (const user of [3, 8]) {
        await d.conn.pg.query(
          `INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length)
           SELECT id, 'q', 'a', 1 FROM onboarding_sessions WHERE user_id = $1`,
          [user],
        );
      }
      const next = await inc.checkOnce();
      const k = next.counters!.find((c) => c.name === us)!;
      // users 3 and 8, with their whole history: user 3's lost increment is seen; user 4's is
      // not, nobody wrote for that user (what a full check is for)
      expect(k).toMatchObject({ usersChecked: 2, usersInconsistent: 1, lost: 1, extra: 0 });
      expect(next.counters!.find((c) => c.name === os)).toMatchObject({ usersChecked: 2, usersInconsistent: 0 });
      expect(next.answerIds).toEqual({ after: first.answerIds!.upTo, upTo: first.answerIds!.upTo + 2 });
    } finally {
      await inc.stop();
    }
  });

  it('serves checks every --interval until stopped, then exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const port = await freePort();
    const done = checkServeCommand(['--serve', '--port', String(port), '--interval', '1s', '--schema', d.ctx.schema, '--json'], { out: (t) => out.push(t), err: (t) => err.push(t), env: { DATABASE_URL: testDatabaseUrl() } }, stop.signal);
    // the first check before serving, then one a second
    while (out.length < 3) await new Promise((r) => setTimeout(r, 100));
    const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(valueOf(m, `counterbench_check_up{schema="${d.ctx.schema}"}`)).toBe(1);
    stop.abort();
    expect(await done).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as { ok: boolean; counters: Array<{ name: string; usersInconsistent: number }> });
    expect(lines.every((l) => l.ok && l.counters.find((k) => k.name === us)!.usersInconsistent === 2)).toBe(true);
    expect(err).toEqual([`counterbench check: serving http://127.0.0.1:${port}/metrics, checking ${d.ctx.schema} on ${new URL(testDatabaseUrl()).host}${new URL(testDatabaseUrl()).pathname} every 1 s`]);
    // the port is given back
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer().once('error', reject);
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });

  it('exits 2 with one line when the port is taken or the database cannot be reached at the start', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const err: string[] = [];
      const env = { DATABASE_URL: testDatabaseUrl() };
      expect(await checkServeCommand(['--serve', '--port', String(port), '--schema', d.ctx.schema], { out: () => {}, err: (t) => err.push(t), env })).toBe(2);
      expect(err).toEqual([`counterbench check: --port: cannot listen on 127.0.0.1:${port}: already in use`]);
      err.length = 0;
      await proxy.down();
      expect(await checkServeCommand(['--serve', '--port', String(await freePort()), '--schema', d.ctx.schema, '--database-url', proxiedUrl.replace('postgres@', 'postgres:s3cret@')], { out: () => {}, err: (t) => err.push(t), env })).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^counterbench check: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\w+: /);
      expect(err[0]).not.toContain('s3cret');
    } finally {
      await proxy.up();
      taken.close();
    }
  });
});
