// The servers this process started and has not stopped yet, so that a second Ctrl-C or any exit
// (process.exit included) can stop them synchronously and remove their folders: an orderly
// stop() awaits, and nothing awaits once the process is leaving.
import fs from 'node:fs';
import type { ServerKind } from './server-folder.ts';
import { terminateSync } from './proc.ts';

export interface LiveServer {
  kind: ServerKind;
  dir: string;
  /** the process running in dir (initdb, then the postmaster; redis-server), once spawned */
  pid?: number;
}

const live = new Set<LiveServer>();
let hooked = false;

export function track(kind: ServerKind, dir: string): LiveServer {
  if (!hooked) {
    process.on('exit', stopServersNow);
    hooked = true;
  }
  const s: LiveServer = { kind, dir };
  live.add(s);
  return s;
}

export function untrack(s: LiveServer): void {
  live.delete(s);
}

/** Stops every server still tracked and removes its folder, without awaiting anything. */
export function stopServersNow(): void {
  const servers = [...live];
  live.clear();
  // Postgres: immediate shutdown (SIGQUIT), no checkpoint, since its data is thrown away anyway.
  // redis-server keeps nothing (--save '').
  const pg = servers.filter((s) => s.kind === 'postgres' && s.pid).map((s) => s.pid!);
  const redis = servers.filter((s) => s.kind === 'redis' && s.pid).map((s) => s.pid!);
  terminateSync(redis, 'SIGKILL', 1000);
  terminateSync(pg, 'SIGQUIT', 5000);
  for (const s of servers) removeFolder(s.dir);
}

/** Removes a server's folder; retried, since a server's last child may still be leaving it. */
export function removeFolder(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
