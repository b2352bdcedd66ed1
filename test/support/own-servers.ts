// For tests that run the real command line with no DATABASE_URL and no REDIS_URL, so that it
// starts its own embedded Postgres and redis-server: a temp dir of the test's own (other runs on
// the machine never show in it), and what /proc and the owner records say about those servers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FOLDER_PREFIX, readOwnerRecord, type OwnerRecord } from '../../harness/provision/server-folder.ts';
import { allPids, cmdlineOf, procStat } from '../../harness/provision/proc.ts';

export const BIN = path.resolve('bin/counterbench.mjs');

/** A temp dir for the servers of one test; 0755 like /tmp, so the postgres account can enter it. */
export function testTmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbtest-tmp-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A fresh machine's environment (no DATABASE_URL, no REDIS_URL) with its temp dir in tmpdir. */
export function ownServersEnv(tmpdir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpdir, TSX_DISABLE_CACHE: '1' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

/** A scenario of baseline and redis-queue (so both servers are started) running for `seconds`. */
export function tinyScenario(dir: string, seconds: number): string {
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'own-servers',
      description: 'both servers, a small load',
      strategies: ['baseline', 'redis-queue'],
      data: { users: 100, sessionsPerUser: 1, answersPerUser: 2 },
      load: { model: 'closed', clients: 2 },
      phases: { warmup: 0, duration: seconds },
      mix: { write: 80, read: 20, delete: 0 },
    }),
  );
  return file;
}

export interface RunProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd = process.cwd(), bin = BIN): RunProcess {
  const child = spawn(process.execPath, [bin, ...args], { env, cwd });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

export interface ServerOf {
  dir: string;
  record: OwnerRecord;
}

/** The server folders in tmpdir whose owner is pid. */
export function serversOf(tmpdir: string, pid: number): { postgres?: ServerOf; redis?: ServerOf } {
  const found: { postgres?: ServerOf; redis?: ServerOf } = {};
  for (const name of fs.readdirSync(tmpdir)) {
    if (!name.startsWith(FOLDER_PREFIX.postgres) && !name.startsWith(FOLDER_PREFIX.redis)) continue;
    const dir = path.join(tmpdir, name);
    const record = readOwnerRecord(dir);
    if (record?.ownerPid === pid) found[record.kind] = { dir, record };
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the run has both servers up and its load is on: a backend of its postmaster shows
 * INSERT in its process title. Then a moment more, so that it is well into the measured phase.
 */
export async function waitMeasuring(run: RunProcess, tmpdir: string, timeoutMs = 60_000): Promise<{ postgres: ServerOf; redis: ServerOf }> {
  const pid = run.child.pid!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`the run ended before measuring:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`the run was not measuring after ${timeoutMs} ms:\n${run.output()}`);
    const s = serversOf(tmpdir, pid);
    const pg = s.postgres?.record.serverPid;
    if (pg && s.redis?.record.serverPid) {
      const inserting = allPids().some((p) => procStat(p)?.ppid === pg && cmdlineOf(p).join(' ').includes('INSERT'));
      if (inserting) {
        await sleep(1500);
        return { postgres: s.postgres!, redis: s.redis! };
      }
    }
    await sleep(50);
  }
}

/** Files under dir that other users could read: readable by others, below folders others may pass through. */
export function readableByOthers(dir: string, skip: (name: string) => boolean = () => false): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (d === dir && skip(e.name)) continue;
      const p = path.join(d, e.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue; // removed while we looked
      }
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (st.mode & 0o001) {
          try {
            walk(p); // others may pass through it
          } catch {
            /* removed while we looked */
          }
        }
      } else if (st.mode & 0o004) found.push(p);
    }
  };
  walk(dir);
  return found;
}
