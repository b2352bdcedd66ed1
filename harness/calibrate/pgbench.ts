// pgbench as the yardstick: the baseline's own INSERT in a custom script, run with the same
// clients and duration against the same schema. The connection goes to pgbench through libpq's
// PG* environment variables, never its command line, so no password shows in a process list.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSERT_ANSWER } from '../strategies/statements.ts';
import { findOnPath } from '../provision/find-on-path.ts';
import { searchPathOption } from '../db/schemas.ts';

/** The values the harness's driver binds for a write (harness/load/driver.ts), as pgbench -D. */
export const BENCH_ANSWER = { questionJsonId: 'q-bench', rawAnswer: 'an answer written by counterbench' };

export interface PgbenchFigures {
  tps: number;
  latencyMeanMs: number;
  transactions: number;
  failed: number;
  /** pgbench's own CPU time (user + system) per transaction, µs, when the shell reported it */
  cpuUsPerOp?: number;
}

export interface PgbenchRun {
  /** the server and schema */
  url: string;
  schema: string;
  users: number;
  sessionsPerUser: number;
  clients: number;
  threads: number;
  seconds: number;
  signal?: AbortSignal;
}

export { findOnPath };

/** The baseline's INSERT with its $n placeholders as pgbench variables, on one line; the user is
 *  drawn as the driver draws it (uniform) and the session is the user's active one, the last
 *  (sql/seed.sql). */
export function pgbenchScript(users: number, sessionsPerUser: number): string {
  const vars = ['sid', 'qid', 'raw', 'len'];
  const sql = INSERT_ANSWER.replace(/\$(\d+)/g, (_, n: string) => `:${vars[Number(n) - 1]}`).replace(/\s*\n\s*/g, ' ');
  return [`\\set uid random(1, ${users})`, `\\set sid :uid * ${sessionsPerUser}`, `${sql};`, ''].join('\n');
}

/** libpq's environment for a postgres:// URL: where and as whom, and the schema to work in. */
export function pgEnvFromUrl(url: string, schema: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {};
  const q = u.searchParams;
  const host = q.get('host') ?? decodeURIComponent(u.hostname);
  if (host) env.PGHOST = host.replace(/^\[(.*)\]$/, '$1');
  const port = q.get('port') ?? u.port;
  if (port) env.PGPORT = port;
  const user = q.get('user') ?? decodeURIComponent(u.username);
  if (user) env.PGUSER = user;
  const password = q.get('password') ?? decodeURIComponent(u.password);
  if (password) env.PGPASSWORD = password;
  const db = q.get('dbname') ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db) env.PGDATABASE = db;
  const sslmode = q.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  env.PGOPTIONS = searchPathOption(schema);
  env.PGAPPNAME = 'counterbench:calibrate:pgbench';
  return env;
}

/** pgbench's summary: tps without connection time, mean latency, transactions done and failed. */
export function parsePgbenchOutput(text: string): PgbenchFigures {
  // 14+: "tps = N (without initial connection time)"; older: "(excluding connections establishing)"
  const tps =
    /tps = ([\d.]+) \((?:without|excluding)/.exec(text)?.[1] ?? /tps = ([\d.]+)/.exec(text)?.[1];
  const lat = /latency average = ([\d.]+) ms/.exec(text)?.[1];
  const tx = /number of transactions actually processed: (\d+)/.exec(text)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(text)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${text.trim()}`);
  const figures = {
    tps: Number(tps),
    latencyMeanMs: lat === undefined ? NaN : Number(lat),
    transactions: tx === undefined ? 0 : Number(tx),
    failed: failed === undefined ? 0 : Number(failed),
  };
  return figures;
}

/** The children's user and system time from the last line of `times`, e.g. "0m0.220s 0m0.701s". */
export function childCpuSeconds(stderr: string): number | undefined {
  const lines = stderr.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

/** pgbench's command line: the load and the script, never where to connect or as whom. */
export function pgbenchArgs(o: Pick<PgbenchRun, 'clients' | 'threads' | 'seconds'>, script: string): string[] {
  return [
    '-n',
    '-M', 'prepared',
    '-c', String(o.clients),
    '-j', String(Math.min(o.threads, o.clients)),
    '-T', String(o.seconds),
    '-D', `qid=${BENCH_ANSWER.questionJsonId}`,
    '-D', `raw=${BENCH_ANSWER.rawAnswer}`,
    '-D', `len=${BENCH_ANSWER.rawAnswer.length}`,
    '-f', script,
  ];
}

/** Runs pgbench once with the baseline's INSERT; rejects with pgbench's own message on failure. */
export async function runPgbench(bin: string, o: PgbenchRun): Promise<PgbenchFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counterbench-pgbench-'));
  const script = path.join(dir, 'baseline-insert.sql');
  fs.writeFileSync(script, pgbenchScript(o.users, o.sessionsPerUser));
  const args = pgbenchArgs(o, script);
  // only what libpq needs from our environment: no stray PG* variable may redirect pgbench
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C', ...pgEnvFromUrl(o.url, o.schema) };
  try {
    return await new Promise<PgbenchFigures>((resolve, reject) => {
      // through sh for its `times` builtin: pgbench's CPU time, the client's cost per operation.
      // Its own process group, so that an abort reaches pgbench and not just the shell.
      const child = spawn('/bin/sh', ['-c', '"$0" "$@"; rc=$?; times >&2; exit $rc', bin, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const onAbort = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGINT');
        } catch {
          /* already gone */
        }
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => {
        o.signal?.removeEventListener('abort', onAbort);
        reject(e);
      });
      child.on('close', (code) => {
        o.signal?.removeEventListener('abort', onAbort);
        if (o.signal?.aborted) return reject(new Error('pgbench interrupted'));
        const said = err.replace(/(\s*\d+m[\d.]+s\s+\d+m[\d.]+s)+\s*$/, '');
        if (code !== 0) return reject(new Error(`pgbench exited with ${code}: ${(said || out).trim()}`));
        try {
          const f = parsePgbenchOutput(out);
          // a pgbench that prints no average gets the one it would print: clients / tps
          if (Number.isNaN(f.latencyMeanMs) && f.tps > 0) f.latencyMeanMs = (o.clients * 1000) / f.tps;
          const cpu = childCpuSeconds(err);
          if (cpu !== undefined && f.transactions > 0) f.cpuUsPerOp = (cpu * 1e6) / f.transactions;
          resolve(f);
        } catch (e) {
          reject(e);
        }
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
