// What Linux's /proc says about a process: enough to tell that a pid is still the process we
// recorded (a pid is reused, its start time is not), what it runs, and to stop it on paths that
// cannot await (a second Ctrl-C, the exit hook, `clean`).
import fs from 'node:fs';
import path from 'node:path';

export const HAS_PROC = fs.existsSync('/proc/self/stat');

export interface ProcStat {
  /** R, S, D, Z (exited, not yet reaped), … */
  state: string;
  ppid: number;
  /** process group: a server spawned detached leads its own, with its children in it */
  pgrp: number;
  /** clock ticks after boot: with the pid, names one process for the machine's uptime */
  startTime: string;
}

export function procStat(pid: number): ProcStat | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name in parentheses may hold spaces and parentheses itself
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), startTime: f[19] };
  } catch {
    return null;
  }
}

export const startTimeOf = (pid: number): string | null => procStat(pid)?.startTime ?? null;

/** Still running (a zombie runs nothing any more), and the same process when startTime is given. */
export function isRunning(pid: number, startTime?: string | null): boolean {
  if (!HAS_PROC) return signalReaches(pid);
  const s = procStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return startTime == null || s.startTime === startTime;
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function cmdlineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The executable's file name, or null when it cannot be read (another user's process, a kernel thread). */
export function exeNameOf(pid: number): string | null {
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

export function cwdOf(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

export function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks until none of the pids runs, or ms have passed; true when none runs. */
export function waitGoneSync(pids: number[], ms: number): boolean {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!pids.some((p) => isRunning(p))) return true;
    if (Date.now() > deadline) return false;
    Atomics.wait(sleeper, 0, 0, 20);
  }
}

/** Signals the process, and its whole group when it leads one (initdb's and the postmaster's children). */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(procStat(pid)?.pgrp === pid ? -pid : pid, sig);
  } catch {
    /* already gone */
  }
}

/** Sends `first`, waits up to graceMs, then SIGKILLs what still runs and waits for it to go. */
export function terminateSync(pids: number[], first: NodeJS.Signals, graceMs: number): void {
  const running = pids.filter((p) => isRunning(p));
  for (const p of running) signal(p, first);
  if (waitGoneSync(running, graceMs)) return;
  for (const p of running) if (isRunning(p)) signal(p, 'SIGKILL');
  waitGoneSync(running, 2000);
}
