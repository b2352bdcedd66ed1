// The containers this process started and has not removed yet. Without testcontainers' reaper
// nothing else removes them: at any exit (process.exit on a second Ctrl-C included) they are
// removed synchronously, since nothing awaits once the process is leaving. A SIGKILL leaves them;
// `clean` finds those by their owner labels (container-leftovers.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { DockerEngine } from './docker-engine.ts';
import { startTimeOf } from './proc.ts';

/** Every container the harness starts carries these labels. */
export const LABEL = 'org.counterbench.container';
export const LABEL_OWNER_PID = 'org.counterbench.owner-pid';
export const LABEL_OWNER_START = 'org.counterbench.owner-start';
/** Where the owner pid means something: see hostIdentity. */
export const LABEL_OWNER_HOST = 'org.counterbench.owner-host';

const readTrimmed = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
};

let identity: string | undefined;
/** The host whose pids the owner labels speak of: an engine may be shared (a remote DOCKER_HOST,
 *  CI jobs in containers on one daemon), and a pid alive or gone here says nothing of another
 *  host's. The hostname tells machines and job containers apart, the boot id two machines of one
 *  name (or one machine before and after a reboot), and the pid namespace two jobs on one kernel
 *  that share a hostname (host networking gives every container the host's). */
export function hostIdentity(): string {
  if (identity) return identity;
  let pidns: string | undefined;
  try {
    pidns = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1];
  } catch {
    // not Linux: hostname and boot id (if any) are all there is
  }
  identity = `${os.hostname()}/${readTrimmed('/proc/sys/kernel/random/boot_id') ?? 'no-boot-id'}/${pidns ? `pidns-${pidns}` : 'no-pidns'}`;
  return identity;
}

export function ownerLabels(role: string): Record<string, string> {
  return { [LABEL]: role, [LABEL_OWNER_PID]: String(process.pid), [LABEL_OWNER_START]: startTimeOf(process.pid) ?? '', [LABEL_OWNER_HOST]: hostIdentity() };
}

const live = new Set<string>();
/** containers being created: not known by id yet */
let creating = 0;
let engineApi: DockerEngine['api'] | undefined;
let hooked = false;

/** Called before a container is created: from then on, an exit removes whatever this process
 *  has in the engine, even a container whose creation had not returned yet. */
export function expectContainers(api: DockerEngine['api']): void {
  engineApi = api;
  if (!hooked) {
    process.on('exit', removeContainersNow);
    hooked = true;
  }
}

export function trackContainer(id: string): void {
  live.add(id);
}

export function untrackContainer(id: string): void {
  live.delete(id);
}

// A child process talks to the engine: the only way to wait for a reply in an exit handler. It
// lists the containers carrying this process's owner labels (those being created included) and
// force-removes them, which kills their servers at once; their data is thrown away anyway.
const REMOVE_SCRIPT = `
const http = require('node:http');
const [api, labels] = JSON.parse(process.argv[1]);
const call = (method, path) => new Promise((resolve, reject) => {
  const req = http.request({ ...api, path, method, timeout: 10000 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => resolve(b)); });
  req.on('error', reject);
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.end();
});
(async () => {
  const filters = encodeURIComponent(JSON.stringify({ label: labels }));
  const list = JSON.parse(await call('GET', '/containers/json?all=1&filters=' + filters));
  await Promise.all(list.map((c) => call('DELETE', '/containers/' + c.Id + '?force=true&v=true')));
})().then(() => process.exit(0), () => process.exit(1));`;

/** Removes every container this process started and has not removed, without awaiting. */
export function removeContainersNow(): void {
  if (!engineApi || (!live.size && !creating)) return;
  const api = engineApi.socketPath ? { socketPath: engineApi.socketPath } : { host: engineApi.host, port: engineApi.port };
  const start = startTimeOf(process.pid);
  // the host label too: without a start time, this pid alone would match another host's run
  const labels = [`${LABEL_OWNER_HOST}=${hostIdentity()}`, `${LABEL_OWNER_PID}=${process.pid}`, ...(start ? [`${LABEL_OWNER_START}=${start}`] : [])];
  live.clear();
  spawnSync(process.execPath, ['-e', REMOVE_SCRIPT, JSON.stringify([api, labels])], { stdio: 'ignore', timeout: 15_000 });
}

/** Marks a container being created (not yet known by id) for removeContainersNow. */
export function creatingContainer(delta: 1 | -1): void {
  creating += delta;
}
