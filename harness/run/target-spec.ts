// What `--target` asks for: servers in containers, one image each for the Postgres and the Redis,
// e.g. "docker:postgres:16" or "docker:postgres:16,docker:redis:7". An image whose name (the last
// part of its repository) says redis or valkey is the Redis; any other is the Postgres.
import { UsageError } from '../errors.ts';

export interface TargetSpec {
  /** image of the Postgres container; absent: embedded or DATABASE_URL */
  postgresImage?: string;
  /** image of the Redis container; absent: REDIS_URL or a redis-server on PATH */
  redisImage?: string;
}

/** A reference as docker takes it: [registry/]path[:tag][@digest], lower case path. */
const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isRedisImage(ref: string): boolean {
  const repo = ref.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  return /^(redis|valkey)/.test(repo.split('/').pop() ?? '');
}

export function checkImageRef(flag: string, ref: string): string {
  if (!IMAGE_REF.test(ref)) throw new UsageError(`${flag}: "${ref}" is not an image reference (e.g. postgres:16, redis:7, registry.example.com/team/postgres:15)`);
  return ref;
}

export function parseTarget(value: string | undefined): TargetSpec {
  if (value === undefined) return {};
  const spec: TargetSpec = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (!part.startsWith('docker:')) throw new UsageError(`--target: expected docker:IMAGE (e.g. docker:postgres:16, docker:redis:7), got "${part}"`);
    const ref = checkImageRef('--target', part.slice('docker:'.length));
    const key = isRedisImage(ref) ? 'redisImage' : 'postgresImage';
    if (spec[key]) throw new UsageError(`--target: two ${key === 'redisImage' ? 'Redis' : 'Postgres'} images (${spec[key]}, ${ref}); give one of each at most`);
    spec[key] = ref;
  }
  return spec;
}
