// The containers this process started and has not removed yet. Without testcontainers' reaper
// nothing else removes them: at any exit (process.exit on a second Ctrl-C included) they are
// removed synchronously, since nothing awaits once the process is leaving. A SIGKILL leaves them;
// `clean` finds those by their owner labels (container-leftovers.ts).
import { spawnSync } from 'node:child_process';
import type { DockerEngine } from './docker-engine.ts';
import { startTimeOf } from './proc.ts';

/** Every container the harness starts carries these labels. */
export const LABEL = 'org.counterbench.container';
export const LABEL_OWNER_PID = 'org.counterbench.owner-pid';
export const LABEL_OWNER_START = 'org.counterbench.owner-start';

export function ownerLabels(role: string): Record<string, string> {
  return { [LABEL]: role, [LABEL_OWNER_PID]: String(process.pid), [LABEL_OWNER_START]: startTimeOf(process.pid) ?? '' };
}

interface LiveContainer {
  id: string;
  api: DockerEngine['api'];
}

const live = new Map<string, LiveContainer>();
let hooked = false;

export function trackContainer(id: string, api: DockerEngine['api']): void {
  if (!hooked) {
    process.on('exit', removeContainersNow);
    hooked = true;
  }
  live.set(id, { id, api });
}

export function untrackContainer(id: string): void {
  live.delete(id);
}

// A child process makes the engine's DELETE call: the only way to wait for a reply in an exit
// handler. Force removal kills the server at once; its data is thrown away anyway.
const DELETE_SCRIPT = `
const [api, ...ids] = JSON.parse(process.argv[1]);
let left = ids.length;
for (const id of ids) {
  const req = require('node:http').request({ ...api, path: '/containers/' + id + '?force=true&v=true', method: 'DELETE', timeout: 10000 }, (r) => { r.resume(); r.on('end', () => --left || process.exit(0)); });
  req.on('error', () => --left || process.exit(1));
  req.on('timeout', () => req.destroy());
  req.end();
}`;

/** Removes every container still tracked, without awaiting anything. */
export function removeContainersNow(): void {
  const all = [...live.values()];
  live.clear();
  if (!all.length) return;
  const api = all[0].api.socketPath ? { socketPath: all[0].api.socketPath } : { host: all[0].api.host, port: all[0].api.port };
  spawnSync(process.execPath, ['-e', DELETE_SCRIPT, JSON.stringify([api, ...all.map((c) => c.id)])], { stdio: 'ignore', timeout: 15_000 });
}
