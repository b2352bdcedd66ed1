// The containers earlier runs left (a SIGKILL leaves them: nothing awaits a killed process, and
// there is no reaper): every container with counterbench's label whose owner process is gone.
// A live run's containers are left alone, and so is every container without the label.
import fs from 'node:fs';
import { isRunning } from './proc.ts';
import { LABEL, LABEL_OWNER_PID, LABEL_OWNER_START } from './live-containers.ts';
import { firstLine } from './docker-engine.ts';

export interface ContainerLeftovers {
  /** why containers were not looked at (no engine); absent when they were */
  skipped?: string;
  removed: Array<{ id: string; image: string; role: string; ownerPid: number | null }>;
  kept: Array<{ id: string; image: string; reason: string }>;
}

export async function cleanContainers(env: NodeJS.ProcessEnv = process.env): Promise<ContainerLeftovers> {
  const out: ContainerLeftovers = { removed: [], kept: [] };
  // no engine configured at all: nothing to look at, and testcontainers need not be loaded
  if (!env.DOCKER_HOST && !fs.existsSync('/var/run/docker.sock')) return { ...out, skipped: 'no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)' };
  const { dockerEngine } = await import('./docker-engine.ts');
  let client;
  try {
    client = (await dockerEngine()).client;
  } catch (e) {
    return { ...out, skipped: firstLine(e) };
  }
  const list = await client.container.dockerode.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) });
  for (const c of list) {
    const pid = Number(c.Labels[LABEL_OWNER_PID]);
    const start = c.Labels[LABEL_OWNER_START] || null;
    const id = c.Id.slice(0, 12);
    if (Number.isSafeInteger(pid) && pid > 0 && isRunning(pid, start)) {
      out.kept.push({ id, image: c.Image, reason: `counterbench (pid ${pid}) that started it is still running` });
      continue;
    }
    await client.container.getById(c.Id).remove({ force: true, v: true });
    out.removed.push({ id, image: c.Image, role: c.Labels[LABEL], ownerPid: Number.isSafeInteger(pid) ? pid : null });
  }
  return out;
}
