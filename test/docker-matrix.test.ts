// Postgres versions in containers, end to end through the command line: `run --matrix` runs smoke
// on Postgres 15 and 17 from the local images (scripts/build-postgres-image.sh; .ci/run builds
// them in the background and names the file saying they are ready in COUNTERBENCH_IMAGES_READY),
// (and its Redis from docker:redis:7, an image of the host's redis-server: test/support/redis-image.ts)
// reaches the embedded server's consistency verdicts on each, fails a missing image for its own
// entry only, and its cross-version report renders in Chromium. Bad input is exit 2 naming the
// fix; a killed run's container is removed by `clean`; after the file no counterbench container
// and no network beyond host and none is left.
//
// testcontainers is pinned to 11.x (package.json): 12 needs Node 22, this machine has Node 20.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../harness/results/types.ts';
import { loadScenario } from '../harness/config/scenario.ts';
import { run } from '../harness/run/runner.ts';
import { dockerEngine, type DockerEngine } from '../harness/provision/docker-engine.ts';
import { LABEL } from '../harness/provision/live-containers.ts';
import { testRedisUrl, uniqueTag } from './support/env.ts';
import { CHROMIUM, openReportOffline } from './support/browser.ts';
import { buildRedisImage, REDIS_IMAGE } from './support/redis-image.ts';

const BIN = path.resolve('bin/counterbench.mjs');
const STRATEGIES = 'trigger-upsert,production-trigger,trigger-fixed,delta-rollup,redis-after-commit';
const LOAD = ['--scenario', 'smoke', '--strategies', STRATEGIES, '--users', '200', '--duration', '1'];
const IMAGES = `${process.env.COUNTERBENCH_IMAGES || 'postgres:15=counterbench/postgres:15,postgres:17=counterbench/postgres:17'},redis:7=${REDIS_IMAGE}`;
const MISSING = 'counterbench/no-such-image:1';

/** The images: on CI, the background build's verdict (waited for); elsewhere, whether they exist. */
async function imagesReady(engine: DockerEngine): Promise<void> {
  const marker = process.env.COUNTERBENCH_IMAGES_READY;
  if (marker) {
    const deadline = Date.now() + 420_000;
    while (!existsSync(marker)) {
      if (Date.now() > deadline) throw new Error(`the image builds of .ci/run did not finish within 7 minutes (no ${marker})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const status = readFileSync(marker, 'utf8').trim();
    if (status !== 'ok') throw new Error(`the image builds of .ci/run failed: ${status}`);
  }
  for (const tag of ['counterbench/postgres:15', 'counterbench/postgres:17']) {
    const image = engine.tc.ImageName.fromString(tag);
    if (!(await engine.client.image.exists(image))) throw new Error(`${tag} is not built: scripts/build-postgres-image.sh ${tag.endsWith('15') ? 'bookworm' : 'trixie'}`);
  }
}

async function ourContainers(engine: DockerEngine) {
  return engine.client.container.dockerode.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) });
}

async function networkNames(engine: DockerEngine): Promise<string[]> {
  return (await engine.client.container.dockerode.listNetworks()).map((n) => n.Name).sort();
}

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI's environment: the test Redis, no DATABASE_URL (a docker: target brings its own). */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: testRedisUrl(), COUNTERBENCH_IMAGES: IMAGES, ...extra };
  delete env.DATABASE_URL;
  return env;
}

const engineUp = !!process.env.CI || !!process.env.COUNTERBENCH_IMAGES_READY || existsSync('/var/run/docker.sock') || !!process.env.DOCKER_HOST;

// Skipped only off CI without a Docker engine; on CI a missing engine or image fails loudly.
describe.skipIf(!engineUp)('Postgres versions in containers', () => {
  let engine: DockerEngine;
  let networksBefore: string[];
  let out: string;
  let matrix: { code: number | null; stdout: string; stderr: string };
  let results: Results;
  let embedded: Results;

  beforeAll(async () => {
    engine = await dockerEngine();
    await imagesReady(engine);
    buildRedisImage();
    networksBefore = await networkNames(engine);
    out = mkdtempSync(path.join(os.tmpdir(), 'cb-docker-matrix-'));
    const ns = uniqueTag();
    // the matrix through the CLI, its Redis in a container too, and the same load on the embedded
    // server with the suite's Redis, side by side
    const child = spawn(process.execPath, [BIN, 'run', '--matrix', `postgres:15,postgres:17,${MISSING}`, '--target', 'docker:redis:7', ...LOAD, '--namespace', ns, '--out', out], { env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const scenario = loadScenario('smoke', { strategies: STRATEGIES, users: '200', duration: '1' });
    const embeddedOut = path.join(out, 'embedded');
    embedded = (await run({ scenario, outDir: embeddedOut, env: { REDIS_URL: testRedisUrl() }, namespace: ns })).results;
    matrix = { code: await exited, stdout, stderr };
    results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
  }, 400_000);

  afterAll(async () => {
    if (out) rmSync(out, { recursive: true, force: true });
    if (!engine) return;
    // nothing of ours survives the file, and no network was made (no bridge, host loopback only)
    expect((await ourContainers(engine)).map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.State}`)).toEqual([]);
    const after = await networkNames(engine);
    expect(after).toEqual(networksBefore);
    if (process.env.COUNTERBENCH_IMAGES_READY) expect(after).toEqual(['host', 'none']);
  });

  it('runs smoke on 15 and 17 from the local images with the embedded server\'s consistency verdicts; a missing image fails its entry only', () => {
    // exit 1: the run did its job on two versions and says the third failed
    expect(matrix.code, matrix.stderr).toBe(1);
    expect(matrix.stderr).toContain(`counterbench run: ${MISSING} failed: image ${MISSING} is not in the Docker engine and cannot be pulled`);
    const entries = results.versions!.entries;
    expect(entries.map((e) => [e.image, e.status])).toEqual([
      ['postgres:15', 'ok'],
      ['postgres:17', 'ok'],
      [MISSING, 'failed'],
    ]);
    for (const [e, major, local] of [
      [entries[0], '15.', 'counterbench/postgres:15'],
      [entries[1], '17.', 'counterbench/postgres:17'],
    ] as const) {
      const c = e.environment!.containers!.postgres!;
      expect(c).toMatchObject({ image: e.image, resolvedImage: local, network: 'host', cpus: null, memoryBytes: null });
      expect(c.version.startsWith(major), c.version).toBe(true);
      expect(e.environment!.containers!.redis).toMatchObject({ image: 'redis:7', resolvedImage: REDIS_IMAGE, network: 'host' });
      expect(e.environment!.target).toBe('docker');
      // each version's own results.json, for compare
      expect(existsSync(path.join(out, e.resultsPath!))).toBe(true);
      const verdicts = (r: { strategies?: Results['strategies'] }) => (r.strategies ?? []).map((s) => [s.id, s.status, s.drift?.consistent ?? null]);
      expect(verdicts(e), e.image).toEqual(verdicts(embedded));
      // each version judged on the scenario's thresholds, not only the first
      expect(e.thresholds?.length, e.image).toBeGreaterThan(0);
    }
    // what any correct server gives: the INSERT-only triggers miss the mix's deletes, the fixed
    // trigger and the ledger keep every counter
    const byId = new Map(embedded.strategies.map((s) => [s.id, s.drift?.consistent]));
    expect([byId.get('trigger-upsert'), byId.get('production-trigger'), byId.get('trigger-fixed'), byId.get('delta-rollup'), byId.get('redis-after-commit')]).toEqual([false, false, true, true, true]);
    expect(results.strategies.map((s) => s.id)).toEqual(entries[0].strategies!.map((s) => s.id));
    // the terminal closes with the verdicts per version
    expect(matrix.stdout).toMatch(/\npostgres:17 +17\.\d+.* passed \(\d+\) +ok\n/);
    expect(matrix.stdout).toMatch(/consistency per version:\nstrategy +postgres:15 \(15\.\d+\) +postgres:17 \(17\.\d+\) +counterbench\/no-such-image:1 +across versions\n/);
    expect(matrix.stdout).toMatch(/\nproduction-trigger +drift \(lost \d+, extra \d+\) +drift \(lost \d+, extra \d+\) +version failed +drifts on every version\n/);
  });

  it.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('renders the report across versions in Chromium', async () => {
    const r = await openReportOffline(path.join(out, 'report.html'));
    try {
      for (const id of ['versions', 'versions-consistency', 'versions-cost', 'versions-server']) {
        expect(await r.page.locator(`section#${id}`).isVisible(), id).toBe(true);
        expect(await r.page.locator(`nav.toc a[href="#${id}"]`).count(), id).toBe(1);
      }
      const consistency = await r.page.locator('section#versions-consistency').innerText();
      expect(consistency).toMatch(/production-trigger\s+drift \(lost \d+, extra \d+\)\s+drift \(lost \d+, extra \d+\)\s+version failed\s+drifts on every version/);
      expect(consistency).toMatch(/trigger-fixed\s+exact\s+exact\s+version failed\s+exact on every version/);
      expect(await r.page.locator('section#versions').innerText()).toContain('counterbench/postgres:17');
      expect(r.problems).toEqual([]);
      expect(r.blocked).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('compare across two versions says what differs', () => {
    const [a, b] = results.versions!.entries;
    const r = cli(['compare', path.join(out, a.resultsPath!), path.join(out, b.resultsPath!)], cliEnv());
    expect(r.code, r.stderr).not.toBe(2);
    expect(r.stdout).toMatch(/note: Postgres differs: PostgreSQL 15\.\S+ .* vs PostgreSQL 17\./);
    expect(r.stdout).toContain('note: Postgres images differ: postgres:15 vs postgres:17');
  });

  it('bad input is one line naming the fix, exit 2, no container left', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [['--target', `docker:${MISSING}`], {}, /^counterbench run: image counterbench\/no-such-image:1 is not in the Docker engine and cannot be pulled .*: pull it .* or map the name to a local image with COUNTERBENCH_IMAGES=/],
      [['--target', 'docker:postgres:15'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, /^counterbench run: no Docker engine reachable at DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock .*: start one/],
      [['--target', 'docker:postgres:15'], { COUNTERBENCH_CONTAINER_TIMEOUT: '0.2' }, /^counterbench run: container postgres:15 \(counterbench\/postgres:15, through COUNTERBENCH_IMAGES\) was not ready within 0.2 s .*: allow it longer with COUNTERBENCH_CONTAINER_TIMEOUT=SECONDS/],
    ];
    for (const [args, extra, message] of cases) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-docker-bad-'));
      const r = cli(['run', ...args, ...LOAD, '--out', path.join(dir, 'out')], cliEnv(extra));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      // nothing half-made: no output folder, no container
      expect(existsSync(path.join(dir, 'out'))).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await ourContainers(engine)).toEqual([]);
  });

  it('a killed run leaves its container, and clean removes it by label', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-docker-kill-'));
    try {
      const child = spawn(process.execPath, [BIN, 'run', '--target', 'docker:postgres:15', ...LOAD, '--out', path.join(dir, 'out')], { env: cliEnv(), stdio: 'ignore' });
      let left: Awaited<ReturnType<typeof ourContainers>> = [];
      for (let i = 0; i < 300 && !left.length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = (await ourContainers(engine)).filter((c) => c.Labels['org.counterbench.owner-pid'] === String(child.pid));
      }
      expect(left).toHaveLength(1);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      expect((await ourContainers(engine)).map((c) => c.Id)).toContain(left[0].Id);
      // no DATABASE_URL or REDIS_URL: clean touches only the temp dir given and the containers
      const env: NodeJS.ProcessEnv = { ...cliEnv(), TMPDIR: dir };
      delete env.REDIS_URL;
      const r = cli(['clean', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { containers: { removed: Array<{ id: string; ownerPid: number }> } };
      expect(report.containers.removed).toContainEqual(expect.objectContaining({ id: left[0].Id.slice(0, 12), ownerPid: child.pid }));
      expect(await ourContainers(engine)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
