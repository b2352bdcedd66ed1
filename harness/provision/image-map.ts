// Which image a name stands for. COUNTERBENCH_IMAGES maps the names a user types to images this
// machine has, e.g. "postgres:15=counterbench/postgres:15,postgres:17=counterbench/postgres:17"
// where no registry is reachable (scripts/build-postgres-image.sh builds those); a name it does
// not map is used as it is (pulled from its registry when the engine does not have it).
import { UsageError } from '../errors.ts';

export function imageMap(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  const text = env.COUNTERBENCH_IMAGES?.trim();
  if (!text) return out;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(part);
    if (!m) throw new UsageError(`COUNTERBENCH_IMAGES: expected NAME=IMAGE pairs separated by commas (e.g. postgres:15=counterbench/postgres:15), got "${part}"`);
    out.set(m[1], m[2]);
  }
  return out;
}

export function resolveImage(name: string, env: NodeJS.ProcessEnv): string {
  return imageMap(env).get(name) ?? name;
}
