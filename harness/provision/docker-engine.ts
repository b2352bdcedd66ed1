// The Docker engine, through testcontainers. Loaded only when a docker: target is asked for: it
// pulls in dockerode and ssh2, which no other command needs.
//
// testcontainers 11.x (package.json pins ~11.14): 12 needs Node 22, and the harness runs on
// Node 20. Two of its defaults cannot work on a machine without a bridge network or a registry:
// - its host detection asks the bridge network for a gateway ("network bridge not found"); every
//   container here uses the host's network on loopback, so the host is 127.0.0.1;
// - its reaper (Ryuk) is an image to pull; the harness removes its containers itself
//   (live-containers.ts, and `clean` by label).
// A user's own settings of either variable win.
import { UsageError } from '../errors.ts';

export type Testcontainers = typeof import('testcontainers');
export type RuntimeClient = Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>;

export interface DockerEngine {
  tc: Testcontainers;
  client: RuntimeClient;
  /** where the engine's API is, for the synchronous removal at exit */
  api: { socketPath?: string; host?: string; port?: number };
}

let engine: Promise<DockerEngine> | undefined;

export function dockerEngine(): Promise<DockerEngine> {
  return (engine ??= connect().catch((e) => {
    engine = undefined;
    throw e;
  }));
}

const NO_ENGINE_FIX = 'start one (dockerd --bridge=none --iptables=false, or Docker Desktop), or set DOCKER_HOST';

/** GET /_ping at DOCKER_HOST (unix:// or tcp://): testcontainers would fall back to
 *  /var/run/docker.sock when the engine a user named does not answer, and run on another one. */
async function pingDockerHost(dockerHost: string): Promise<void> {
  const m = /^(unix|tcp|http):\/\/(.+)$/.exec(dockerHost);
  if (!m) throw new UsageError(`DOCKER_HOST=${dockerHost}: expected unix:///path/to/docker.sock or tcp://HOST:PORT`);
  const where = m[1] === 'unix' ? { socketPath: m[2] } : { host: m[2].split(':')[0], port: Number(m[2].split(':')[1] ?? 2375) };
  const { request } = await import('node:http');
  await new Promise<void>((resolve, reject) => {
    const req = request({ ...where, path: '/_ping', timeout: 5000 }, (r) => {
      r.resume();
      if (r.statusCode === 200) resolve();
      else reject(new Error(`/_ping answered HTTP ${r.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  }).catch((e) => {
    throw new UsageError(`no Docker engine reachable at DOCKER_HOST=${dockerHost} (${firstLine(e)}): ${NO_ENGINE_FIX}`);
  });
}

async function connect(): Promise<DockerEngine> {
  if (process.env.DOCKER_HOST) await pingDockerHost(process.env.DOCKER_HOST);
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const tc = await import('testcontainers');
  let client: RuntimeClient;
  try {
    client = await tc.getContainerRuntimeClient();
  } catch (e) {
    const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : '/var/run/docker.sock';
    throw new UsageError(`no Docker engine reachable at ${where} (${firstLine(e)}): ${NO_ENGINE_FIX}`);
  }
  const modem = (client.container.dockerode as unknown as { modem: { socketPath?: string; host?: string; port?: number | string } }).modem;
  return { tc, client, api: { socketPath: modem.socketPath, host: modem.host, port: modem.port === undefined ? undefined : Number(modem.port) } };
}

export function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0].trim();
}
