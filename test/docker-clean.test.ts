// `clean` on a Docker engine others share: it removes only the containers started from this host
// whose counterbench is gone (another host's pid says nothing here), and an engine that refuses a
// removal or the listing costs that container or the containers only: the Redis keys after them
// are still cleaned, and the command says what it left and why. Real engine and real containers
// (created, never started), through a proxy that scopes clean to this test's containers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dockerEngine, type DockerEngine } from '../harness/provision/docker-engine.ts';
import { hostIdentity, LABEL, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START } from '../harness/provision/live-containers.ts';
import { startTimeOf } from '../harness/provision/proc.ts';
import { connectRedis } from '../harness/provision/redis.ts';
import { testRedisUrl, uniqueTag } from './support/env.ts';
import { buildRedisImage, REDIS_IMAGE } from './support/redis-image.ts';
import { dockerProxy, type DockerProxy } from './support/docker-proxy.ts';

const BIN = path.resolve('bin/counterbench.mjs');
const engineUp = !!process.env.CI || !!process.env.COUNTERBENCH_IMAGES_READY || existsSync('/var/run/docker.sock') || !!process.env.DOCKER_HOST;
const SCOPE = 'org.counterbench.test';

describe.skipIf(!engineUp)('clean on a shared Docker engine', () => {
  let engine: DockerEngine;
  let tag: string;
  let proxy: DockerProxy;
  let tmp: string;
  /** a database of the suite's Redis no other test uses: clean deletes every counterbench:* key in it */
  let redisUrl: string;
  /** a pid that has exited; with start time 1 (a tick after boot) it names no process even if reused */
  const deadPid = spawnSync('true').pid!;

  beforeAll(async () => {
    engine = await dockerEngine();
    buildRedisImage();
    const u = new URL(testRedisUrl());
    u.pathname = '/14';
    redisUrl = u.toString();
  });

  beforeEach(async () => {
    tag = uniqueTag();
    proxy = await dockerProxy(engine.api.socketPath ?? '/var/run/docker.sock', `${SCOPE}=${tag}`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-docker-clean-'));
  });

  afterEach(async () => {
    await proxy.close();
    rmSync(tmp, { recursive: true, force: true });
    const d = engine.client.container.dockerode;
    for (const c of await d.listContainers({ all: true, filters: JSON.stringify({ label: [`${SCOPE}=${tag}`] }) })) await d.getContainer(c.Id).remove({ force: true });
  });

  /** A container as a run would have left it, never started: labels as ownerLabels makes them. */
  async function leftContainer(owner: { pid: number; start?: string | null; host?: string }): Promise<string> {
    const labels: Record<string, string> = { [SCOPE]: tag, [LABEL]: 'postgres', [LABEL_OWNER_PID]: String(owner.pid), [LABEL_OWNER_START]: owner.start ?? '' };
    if (owner.host) labels[LABEL_OWNER_HOST] = owner.host;
    const c = await engine.client.container.dockerode.createContainer({ Image: REDIS_IMAGE, Cmd: ['redis-server'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    return c.id.slice(0, 12);
  }

  async function redisKey(): Promise<{ key: string; exists: () => Promise<number> }> {
    const key = `counterbench:${tag}:left`;
    const r = connectRedis(redisUrl);
    await r.connect();
    await r.set(key, '1');
    r.disconnect();
    return {
      key,
      exists: async () => {
        const c = connectRedis(redisUrl);
        await c.connect();
        try {
          return await c.exists(key);
        } finally {
          c.disconnect();
        }
      },
    };
  }

  /** Not spawnSync: the proxy answers from this process's event loop. */
  function clean(json: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: proxy.dockerHost, TMPDIR: tmp, REDIS_URL: redisUrl };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [BIN, 'clean', ...(json ? ['--json'] : [])], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  type Report = { containers: { skipped?: string; removed: Array<{ id: string }>; kept: Array<{ id: string; reason: string; live: boolean }> }; redisKeys?: number };

  it('removes only this host\'s containers whose counterbench is gone; another host\'s, an unlabelled one and a live one are kept with the reason', async () => {
    const here = hostIdentity();
    const gone = await leftContainer({ pid: deadPid, start: '1', host: here });
    const otherHost = await leftContainer({ pid: deadPid, start: '1', host: 'ci-runner-7/0b5c5d0e-0000-4000-8000-000000000000/pidns-4026532000' });
    const unlabelled = await leftContainer({ pid: deadPid, start: '1' });
    const live = await leftContainer({ pid: process.pid, start: startTimeOf(process.pid), host: here });
    const r = await clean(true);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.containers.removed.map((c) => c.id), r.stdout).toEqual([gone]);
    const kept = new Map(report.containers.kept.map((k) => [k.id, k]));
    expect([...kept.keys()].sort()).toEqual([otherHost, unlabelled, live].sort());
    expect(kept.get(otherHost)!.reason).toBe(`started by counterbench on another host (ci-runner-7/0b5c5d0e-0000-4000-8000-000000000000/pidns-4026532000, this one is ${here}): clean there, or docker rm -f ${otherHost} once that run is gone`);
    expect(kept.get(unlabelled)!.reason).toMatch(/^no org\.counterbench\.owner-host label \(an older counterbench\)/);
    expect(kept.get(live)).toMatchObject({ live: true, reason: `counterbench (pid ${process.pid}) that started it is still running` });
    // only the gone one left the engine
    const d = engine.client.container.dockerode;
    const ids = (await d.listContainers({ all: true, filters: JSON.stringify({ label: [`${SCOPE}=${tag}`] }) })).map((c) => c.Id.slice(0, 12));
    expect(ids.sort()).toEqual([otherHost, unlabelled, live].sort());
    // the text says what it left that needs a look, not the live run's
    const text = await clean(false);
    expect(text.stdout).toContain(`left alone container ${otherHost} (${REDIS_IMAGE}): started by counterbench on another host`);
    expect(text.stdout).not.toContain(live);
    expect(hostIdentity()).toMatch(new RegExp(`^${os.hostname()}/[0-9a-f-]{36}/pidns-\\d+$`));
  });

  it('a removal the engine refuses keeps that container with the reason, and the Redis keys are still cleaned', async () => {
    const gone = await leftContainer({ pid: deadPid, start: '1', host: hostIdentity() });
    const other = await leftContainer({ pid: deadPid, start: '1', host: hostIdentity() });
    const key = await redisKey();
    proxy.refuse('DELETE', new RegExp(`/containers/${gone}`), 409, `removal of container ${gone} is already in progress`);
    const r = await clean(true);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.containers.removed.map((c) => c.id)).toEqual([other]);
    expect(report.containers.kept).toEqual([{ id: gone, image: REDIS_IMAGE, live: false, reason: expect.stringMatching(new RegExp(`^removal failed: .*409.*removal of container ${gone} is already in progress`)) }]);
    expect(report.redisKeys).toBeGreaterThanOrEqual(1);
    expect(await key.exists()).toBe(0);
  });

  it('a listing the engine refuses skips the containers with the reason, and the Redis keys are still cleaned', async () => {
    const key = await redisKey();
    proxy.refuse('GET', /\/containers\/json$/, 403, 'authorization denied by plugin authz: permission denied');
    const r = await clean(true);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.containers.skipped).toMatch(/^the Docker engine did not list the containers: .*403.*authorization denied by plugin authz: permission denied/);
    expect(report.redisKeys).toBeGreaterThanOrEqual(1);
    expect(await key.exists()).toBe(0);
    const text = await clean(false);
    expect(text.code).toBe(0);
    expect(text.stderr.trim()).toMatch(/^containers not cleaned: the Docker engine did not list the containers: .*permission denied$/);
  });

  it('a run leaving removes its own containers, not another host\'s run whose pid and start time match', async () => {
    // a process that has started a container, as a run has, and leaves when told
    const script = `
      const { expectContainers, trackContainer, hostIdentity } = await import(${JSON.stringify(path.resolve('harness/provision/live-containers.ts'))});
      const { startTimeOf } = await import(${JSON.stringify(path.resolve('harness/provision/proc.ts'))});
      expectContainers({ socketPath: process.argv[1] });
      trackContainer('started');
      console.log(JSON.stringify({ pid: process.pid, start: startTimeOf(process.pid), host: hostIdentity() }));
      process.stdin.once('data', () => process.exit(0));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, proxy.dockerHost.replace(/^unix:\/\//, '')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const owner = await new Promise<{ pid: number; start: string; host: string }>((resolve) => child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)))));
    expect(owner.host).toBe(hostIdentity());
    const own = await leftContainer(owner);
    // the same pid and start time on another host sharing the engine (a CI job's container)
    const elsewhere = await leftContainer({ ...owner, host: 'ci-runner-7/0b5c5d0e-0000-4000-8000-000000000000/pidns-4026532000' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.stdin!.end('go\n');
    await exited;
    const d = engine.client.container.dockerode;
    const ids = (await d.listContainers({ all: true, filters: JSON.stringify({ label: [`${SCOPE}=${tag}`] }) })).map((c) => c.Id.slice(0, 12));
    expect(ids).toEqual([elsewhere]);
    expect(ids).not.toContain(own);
  });
});
