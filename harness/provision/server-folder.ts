// The temporary folder of a server the harness starts itself (embedded Postgres, redis-server),
// and the owner record in it: which counterbench process started it and which server runs from
// it. `clean` reads the record after a SIGKILL to stop and remove only what a dead run left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTimeOf } from './proc.ts';

export type ServerKind = 'postgres' | 'redis';

export const FOLDER_PREFIX: Record<ServerKind, string> = {
  postgres: 'counterbench-pg-',
  redis: 'counterbench-redis-',
};

const OWNER_FILE = 'counterbench-owner.json';

export interface OwnerRecord {
  kind: ServerKind;
  /** the counterbench process that started the server, and its start time (/proc) */
  ownerPid: number;
  ownerStartTime: string | null;
  port: number;
  serverPid?: number;
  serverStartTime?: string | null;
}

export interface ServerFolder {
  dir: string;
  record: OwnerRecord;
  /** records the server's process once it is spawned */
  setServer(pid: number): void;
}

function writeRecord(dir: string, rec: OwnerRecord): void {
  const tmp = path.join(dir, `${OWNER_FILE}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(rec) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, OWNER_FILE)); // never a half-written record
}

/** A new private folder under the temp dir, its owner record written before anything runs in it. */
export function newServerFolder(kind: ServerKind, port: number): ServerFolder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), FOLDER_PREFIX[kind]));
  const record: OwnerRecord = { kind, ownerPid: process.pid, ownerStartTime: startTimeOf(process.pid), port };
  try {
    writeRecord(dir, record);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    record,
    setServer(pid) {
      record.serverPid = pid;
      record.serverStartTime = startTimeOf(pid);
      writeRecord(dir, record);
    },
  };
}

/** The record in dir; null when there is none or it cannot be parsed. */
export function readOwnerRecord(dir: string): OwnerRecord | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const r = JSON.parse(text) as OwnerRecord;
    return typeof r.ownerPid === 'number' && (r.kind === 'postgres' || r.kind === 'redis') ? r : null;
  } catch {
    return null;
  }
}
