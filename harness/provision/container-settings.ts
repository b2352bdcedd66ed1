// The settings of the containers a run starts, from the environment, each checked before
// anything is provisioned: a mistake is one line naming the variable, exit 2.
import { UsageError } from '../errors.ts';
import { imageMap } from './image-map.ts';

/** CPU and memory limits from COUNTERBENCH_CONTAINER_CPUS (e.g. 1.5) and
 *  COUNTERBENCH_CONTAINER_MEMORY (bytes, or with k/m/g), when set. */
export function containerLimits(env: NodeJS.ProcessEnv): { cpus: number | null; memoryBytes: number | null } {
  const cpuText = env.COUNTERBENCH_CONTAINER_CPUS?.trim();
  const memText = env.COUNTERBENCH_CONTAINER_MEMORY?.trim();
  let cpus: number | null = null;
  let memoryBytes: number | null = null;
  if (cpuText) {
    cpus = Number(cpuText);
    if (!Number.isFinite(cpus) || cpus <= 0) throw new UsageError(`COUNTERBENCH_CONTAINER_CPUS: expected a number of CPUs above 0 (e.g. 1.5), got "${cpuText}"`);
  }
  if (memText) {
    const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(memText);
    const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
    memoryBytes = m ? Math.round(Number(m[1]) * unit) : NaN;
    if (!m || memoryBytes < 64 * 1024 ** 2) throw new UsageError(`COUNTERBENCH_CONTAINER_MEMORY: expected a size of at least 64m (e.g. 2g, 512m), got "${memText}"`);
  }
  return { cpus, memoryBytes };
}

/** Seconds a container's server gets to answer: COUNTERBENCH_CONTAINER_TIMEOUT, default 60. */
export function readyTimeoutMs(env: NodeJS.ProcessEnv): number {
  const t = env.COUNTERBENCH_CONTAINER_TIMEOUT?.trim();
  if (!t) return 60_000;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`COUNTERBENCH_CONTAINER_TIMEOUT: expected seconds above 0, got "${t}"`);
  return n * 1000;
}

export function checkContainerSettings(env: NodeJS.ProcessEnv): void {
  containerLimits(env);
  readyTimeoutMs(env);
  imageMap(env);
}
