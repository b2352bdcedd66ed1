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
  const labels = [`${LABEL_OWNER_PID}=${process.pid}`, ...(start ? [`${LABEL_OWNER_START}=${start}`] : [])];
  live.clear();
  spawnSync(process.execPath, ['-e', REMOVE_SCRIPT, JSON.stringify([api, labels])], { stdio: 'ignore', timeout: 15_000 });
}

/** Marks a container being created (not yet known by id) for removeContainersNow. */
export function creatingContainer(delta: 1 | -1): void {
  creating += delta;
}
