// A Redis image for the docker:redis:7 path where no registry is reachable: the host's own
// redis-server and the libraries it links, imported as counterbench/redis-host:7 (kept in the
// daemon as a cache, like the postgres images). The harness starts it as it starts the official
// image: "redis-server --port PORT --bind 127.0.0.1 ...".
import { spawnSync } from 'node:child_process';

export const REDIS_IMAGE = 'counterbench/redis-host:7';

export function buildRedisImage(): void {
  const script = `
set -eu
docker image inspect ${REDIS_IMAGE} >/dev/null 2>&1 && exit 0
bin=$(command -v redis-server)
libs=$(ldd "$bin" | grep -o '/[^ ]*' | sort -u)
tar -ch "$bin" $libs 2>/dev/null | docker import --change 'LABEL org.counterbench.image=redis-host' --change 'ENV PATH=/usr/bin:/bin' - ${REDIS_IMAGE} >/dev/null`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`could not build ${REDIS_IMAGE} from the host's redis-server: ${r.stderr || r.error?.message}`);
}
