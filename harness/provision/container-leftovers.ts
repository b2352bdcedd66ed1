// The containers earlier runs left (a SIGKILL leaves them: nothing awaits a killed process, and
// there is no reaper): every container with counterbench's label, started from this host, whose
// owner process is gone. A live run's containers are left alone, and so are another host's (on a
// shared engine its pid says nothing here) and every container without the label.
import fs from 'node:fs';
import { isRunning } from './proc.ts';
import { hostIdentity, LABEL, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START } from './live-containers.ts';
import { firstLine } from './docker-engine.ts';

export interface ContainerLeftovers {
  /** why containers were not looked at (no engine, or the engine would not list them); absent when they were */
  skipped?: string;
  removed: Array<{ id: string; image: string; role: string; ownerPid: number | null }>;
  /** live: its counterbench still runs (the normal case); the others need a look */
  kept: Array<{ id: string; image: string; reason: string; live: boolean }>;
}

export const NO_ENGINE = 'no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)';

export async function cleanContainers(env: NodeJS.ProcessEnv = process.env): Promise<ContainerLeftovers> {
  const out: ContainerLeftovers = { removed: [], kept: [] };
  // no engine configured at all: nothing to look at, and testcontainers need not be loaded
  if (!env.DOCKER_HOST && !fs.existsSync('/var/run/docker.sock')) return { ...out, skipped: NO_ENGINE };
  const { dockerEngine } = await import('./docker-engine.ts');
  let client;
  try {
    client = (await dockerEngine()).client;
  } catch (e) {
    return { ...out, skipped: firstLine(e) };
  }
  let list;
  try {
    list = await client.container.dockerode.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) });
  } catch (e) {
    // the schemas and Redis keys after this are still cleaned: a clean that stops here leaves them
    return { ...out, skipped: `the Docker engine did not list the containers: ${firstLine(e)}` };
  }
  const here = hostIdentity();
  for (const c of list) {
    const pid = Number(c.Labels[LABEL_OWNER_PID]);
    const start = c.Labels[LABEL_OWNER_START] || null;
    const host = c.Labels[LABEL_OWNER_HOST];
    const id = c.Id.slice(0, 12);
    const keep = (reason: string, live = false) => out.kept.push({ id, image: c.Image, reason, live });
    if (!host) {
      keep(`no ${LABEL_OWNER_HOST} label (an older counterbench): whether its counterbench is gone cannot be told here; docker rm -f ${id} once it is`);
      continue;
    }
    if (host !== here) {
      keep(`started by counterbench on another host (${host}, this one is ${here}): clean there, or docker rm -f ${id} once that run is gone`);
      continue;
    }
    if (Number.isSafeInteger(pid) && pid > 0 && isRunning(pid, start)) {
      keep(`counterbench (pid ${pid}) that started it is still running`, true);
      continue;
    }
    try {
      await client.container.getById(c.Id).remove({ force: true, v: true });
    } catch (e) {
      // one container the engine will not remove (a removal in progress, no permission) is no
      // reason to leave the others, or the schemas and keys after them
      keep(`removal failed: ${firstLine(e)}`);
      continue;
    }
    out.removed.push({ id, image: c.Image, role: c.Labels[LABEL], ownerPid: Number.isSafeInteger(pid) ? pid : null });
  }
  return out;
}
