// What earlier runs left in the temp dir when they could not clean up (SIGKILL, a crash): the
// folders of the servers they started, and those servers if they still run. Only folders whose
// counterbench process is gone are touched, and only processes that really are their server:
// other counterbench runs on the machine keep theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FOLDER_PREFIX, readOwnerRecord, type OwnerRecord, type ServerKind } from './server-folder.ts';
import { allPids, cmdlineOf, cwdOf, exeNameOf, HAS_PROC, isRunning, terminateSync } from './proc.ts';
import { removeFolder } from './live-servers.ts';

export interface RemovedFolder {
  path: string;
  kind: ServerKind;
  /** the counterbench process that started it, gone */
  ownerPid: number | null;
  port: number | null;
  /** server processes that were still running and were stopped */
  stopped: number[];
}

export interface KeptFolder {
  path: string;
  kind: ServerKind;
  reason: string;
}

export interface Leftovers {
  tmpdir: string;
  removed: RemovedFolder[];
  kept: KeptFolder[];
}

/** A folder without a record this young may be one being set up right now. */
const SETUP_GRACE_MS = 60_000;

/**
 * The processes of the server in dir: the postmaster or initdb (and initdb's bootstrap backend),
 * whose command line names the folder; redis-server, which rewrites its command line to
 * "redis-server 127.0.0.1:PORT" but runs in its --dir.
 */
function serverProcesses(dir: string, kind: ServerKind, port: number | null): number[] {
  const inside = dir + path.sep;
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    const exe = exeNameOf(pid);
    if (kind === 'postgres') return (exe === 'postgres' || exe === 'initdb') && cmdlineOf(pid).some((a) => a.includes(inside));
    // Debian's redis-server is a link to redis-check-rdb: the command line names it
    const cmd = cmdlineOf(pid).join(' ');
    const named = exe === 'redis-server' || path.basename(cmd.split(' ')[0] ?? '') === 'redis-server';
    if (!named || cwdOf(pid) !== dir) return false;
    return port === null || cmd.includes(`:${port}`);
  });
}

const ownerAlive = (r: OwnerRecord): boolean => isRunning(r.ownerPid, r.ownerStartTime);

function kindOf(name: string): ServerKind | null {
  for (const k of Object.keys(FOLDER_PREFIX) as ServerKind[]) if (name.startsWith(FOLDER_PREFIX[k])) return k;
  return null;
}

/** Stops and removes what dead runs left; says what it kept and why. */
export function cleanLeftovers(tmpdir = os.tmpdir()): Leftovers {
  const out: Leftovers = { tmpdir, removed: [], kept: [] };
  let names: string[];
  try {
    names = fs.readdirSync(tmpdir);
  } catch {
    return out;
  }
  const uid = process.getuid?.();
  for (const name of names.sort()) {
    const kind = kindOf(name);
    if (!kind) continue;
    const dir = path.join(tmpdir, name);
    const keep = (reason: string) => out.kept.push({ path: dir, kind, reason });
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) continue;
    if (uid !== undefined && st.uid !== uid) {
      keep(`it belongs to another user (uid ${st.uid})`);
      continue;
    }
    if (!HAS_PROC) {
      keep('without /proc, whether its run still goes on cannot be told');
      continue;
    }
    let record: OwnerRecord | null;
    try {
      record = readOwnerRecord(dir);
    } catch (e) {
      keep(`its owner record cannot be read: ${(e as Error).message}`);
      continue;
    }
    if (record) {
      if (ownerAlive(record)) {
        keep(`counterbench (pid ${record.ownerPid}) that started it is still running`);
        continue;
      }
      const pids = serverProcesses(dir, kind, record.port);
      stopServer(pids, kind);
      removeFolder(dir);
      out.removed.push({ path: dir, kind, ownerPid: record.ownerPid, port: record.port, stopped: pids });
      continue;
    }
    // no record: made by a counterbench from before records, or being set up this instant
    const pids = serverProcesses(dir, kind, null);
    if (pids.length) {
      keep(`it has no owner record (an older counterbench?) and ${kind} (pid ${pids.join(', ')}) still runs from it: stop that process if its run is gone, then clean again`);
      continue;
    }
    if (Date.now() - st.mtimeMs < SETUP_GRACE_MS) {
      keep('it has no owner record yet and was made less than a minute ago: a run may be setting it up');
      continue;
    }
    removeFolder(dir);
    out.removed.push({ path: dir, kind, ownerPid: null, port: null, stopped: [] });
  }
  return out;
}

function stopServer(pids: number[], kind: ServerKind): void {
  // its data is thrown away: Postgres's immediate shutdown (SIGQUIT), no checkpoint
  terminateSync(pids, kind === 'postgres' ? 'SIGQUIT' : 'SIGTERM', 5000);
}

