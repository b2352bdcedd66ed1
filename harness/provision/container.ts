// One server in a container, started through testcontainers on the host's network: it listens on
// a free loopback port of its own, so no bridge network and no port mapping exist, and the load
// never leaves loopback. Removed by stop(), at any exit (live-containers.ts), or by `clean`.
import { randomUUID } from 'node:crypto';
import { dockerEngine, firstLine } from './docker-engine.ts';
import { creatingContainer, expectContainers, ownerLabels, trackContainer, untrackContainer } from './live-containers.ts';
import { resolveImage } from './image-map.ts';
import { containerLimits } from './container-settings.ts';
import { UsageError } from '../errors.ts';
import type { ContainerInfo } from '../results/types.ts';

export interface ContainerSpec {
  /** the image as the user named it, e.g. postgres:16 */
  image: string;
  role: 'postgres' | 'redis';
  env: Record<string, string>;
  command: string[];
  /** resolves once the server answers; throws while it does not yet */
  probe: () => Promise<string>;
  readyTimeoutMs: number;
  /** COUNTERBENCH_IMAGES and the limits, from the environment */
  settings: NodeJS.ProcessEnv;
}

export interface RunningContainer {
  id: string;
  info: ContainerInfo;
  /** what probe() returned: the server's version */
  version: string;
  stop(): Promise<void>;
  /** the server stopped and started again in the same container (faults) */
  restart(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startContainer(spec: ContainerSpec): Promise<RunningContainer> {
  const limits = containerLimits(spec.settings);
  const resolved = resolveImage(spec.image, spec.settings);
  const { tc, client, api } = await dockerEngine();
  // the start's own label finds the container a failed start may have created
  const labels = { ...ownerLabels(spec.role), 'org.counterbench.start': randomUUID() };
  let c = new tc.GenericContainer(resolved)
    .withNetworkMode('host')
    .withEnvironment(spec.env)
    .withCommand(spec.command)
    .withLabels(labels)
    // readiness is probed below with a real connection: no port is exposed on the host network
    .withWaitStrategy(tc.Wait.forListeningPorts())
    .withStartupTimeout(spec.readyTimeoutMs);
  if (limits.cpus !== null || limits.memoryBytes !== null) {
    c = c.withResourcesQuota({ cpu: limits.cpus ?? undefined, memory: limits.memoryBytes === null ? undefined : limits.memoryBytes / 1024 ** 3 });
  }
  const mapped = resolved === spec.image ? '' : ` (${resolved}, through COUNTERBENCH_IMAGES)`;
  const name = tc.ImageName.fromString(resolved);
  if (!(await client.image.exists(name))) {
    try {
      await client.image.pull(name, { force: false, platform: undefined });
    } catch (e) {
      throw new UsageError(
        `image ${spec.image}${mapped} is not in the Docker engine and cannot be pulled (${firstLine(e)}): pull it where a registry is reachable (docker pull ${resolved}), build a local one (scripts/build-postgres-image.sh), or map the name to a local image with COUNTERBENCH_IMAGES=${spec.image}=LOCAL_IMAGE`,
      );
    }
  }
  let started: Awaited<ReturnType<typeof c.start>>;
  expectContainers(api);
  creatingContainer(1);
  try {
    started = await c.start();
  } catch (e) {
    await removeByLabels(client, labels);
    throw new UsageError(`container ${spec.image}${mapped} did not start: ${firstLine(e)}`);
  } finally {
    creatingContainer(-1);
  }
  const id = started.getId();
  trackContainer(id);
  const remove = async () => {
    try {
      await client.container.getById(id).remove({ force: true, v: true });
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    untrackContainer(id);
  };
  let removed: Promise<void> | undefined;
  const stop = () => (removed ??= remove());
  /** Polls the server until it answers; a container that exits, or a server that does not answer
   *  in time, is a UsageError after the container is removed. */
  const ready = async (): Promise<string> => {
    const deadline = Date.now() + spec.readyTimeoutMs;
    for (;;) {
      try {
        return await spec.probe();
      } catch (e) {
        const lastError = firstLine(e);
        const state = await client.container.inspect(client.container.getById(id)).catch(() => undefined);
        if (state && !state.State.Running) {
          const logs = await containerLogTail(client, id);
          await stop();
          throw new UsageError(`container ${spec.image}${mapped} exited (code ${state.State.ExitCode}) before its server answered${logs ? `; its last lines: ${logs}` : ''}`);
        }
        if (Date.now() > deadline) {
          await stop();
          throw new UsageError(
            `container ${spec.image}${mapped} was not ready within ${spec.readyTimeoutMs / 1000} s (last: ${lastError}): allow it longer with COUNTERBENCH_CONTAINER_TIMEOUT=SECONDS, or check the image starts a server from its environment`,
          );
        }
        await sleep(200);
      }
    }
  };
  const version = await ready();
  // a fault's restart: the server's fast shutdown (SIGINT: Postgres; redis-server quits), the same
  // container started again on the same port and data
  const restart = async () => {
    const ctr = client.container.getById(id);
    await ctr.kill({ signal: 'SIGINT' });
    await ctr.wait();
    await ctr.start();
    await ready();
  };
  const inspect = await client.container.inspect(client.container.getById(id));
  const info: ContainerInfo = {
    image: spec.image,
    resolvedImage: resolved,
    imageId: inspect.Image,
    network: inspect.HostConfig.NetworkMode ?? 'host',
    cpus: inspect.HostConfig.NanoCpus ? inspect.HostConfig.NanoCpus / 1e9 : null,
    memoryBytes: inspect.HostConfig.Memory ? inspect.HostConfig.Memory : null,
    version,
  };
  return { id, info, version, stop, restart };
}

async function containerLogTail(client: Awaited<ReturnType<typeof dockerEngine>>['client'], id: string): Promise<string> {
  try {
    const buf = (await client.container.getById(id).logs({ stdout: true, stderr: true, tail: 8, follow: false })) as unknown as Buffer;
    // the multiplexed stream: 8-byte frame headers before each chunk
    const out: string[] = [];
    for (let i = 0; i + 8 <= buf.length; ) {
      const n = buf.readUInt32BE(i + 4);
      out.push(buf.subarray(i + 8, i + 8 + n).toString('utf8'));
      i += 8 + n;
    }
    return out.join('').trim().split('\n').join(' | ');
  } catch {
    return '';
  }
}

/** Removes the containers carrying exactly these labels: one a failed start may have left. */
async function removeByLabels(client: Awaited<ReturnType<typeof dockerEngine>>['client'], labels: Record<string, string>): Promise<void> {
  const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
  const list = await client.container.dockerode.listContainers({ all: true, filters }).catch(() => []);
  for (const x of list) await client.container.getById(x.Id).remove({ force: true, v: true }).catch(() => {});
}
