// What a run that could not clean up leaves: after a SIGKILL its embedded Postgres and its
// redis-server keep running, and `clean` must stop them and remove their folders, and only
// those; a second Ctrl-C must not leave them in the first place. Real runs, real signals, each in
// a temp dir of the test's own, so other runs on the machine are never in sight.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isRunning } from '../harness/provision/proc.ts';
import type { Leftovers } from '../harness/provision/leftovers.ts';
import { BIN, ownServersEnv, serversOf, spawnCli, testTmpdir, tinyScenario, waitMeasuring, type ServerOf } from './support/own-servers.ts';

// The copy of the Postgres binaries that a checkout only root may enter needs (pg-binaries.ts) is
// kept on purpose, for the next run: it is no run's leftover.
const leftIn = (tmp: string) => fs.readdirSync(tmp).filter((n) => !n.startsWith('counterbench-pgbin-'));

const alive = (s: ServerOf) => isRunning(s.record.serverPid!, s.record.serverStartTime);

function clean(tmp: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'clean', ...args], { env: ownServersEnv(tmp), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('counterbench clean', () => {
  it('--help prints clean’s usage and exits 0', () => {
    const tmp = testTmpdir();
    try {
      const r = clean(tmp, '--help');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^usage: counterbench clean/);
      expect(r.stdout).toContain('--database-url');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('with nothing left behind and no server, says so and exits 0', () => {
    const tmp = testTmpdir();
    try {
      const r = clean(tmp);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`no server folders of earlier runs in ${tmp}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('after a SIGKILL stops the servers the run left and removes their folders, and leaves a live run’s alone', async () => {
    const tmp = testTmpdir();
    const work = testTmpdir();
    const env = ownServersEnv(tmp);
    const scenario = tinyScenario(work, 30);
    const killed = spawnCli(['run', '--scenario', scenario, '--out', path.join(work, 'killed')], env);
    const live = spawnCli(['run', '--scenario', scenario, '--out', path.join(work, 'live')], env);
    try {
      const [k, l] = await Promise.all([waitMeasuring(killed, tmp), waitMeasuring(live, tmp)]);
      killed.child.kill('SIGKILL');
      await killed.exited;
      // the defect: nothing stops them once their harness is gone
      expect(alive(k.postgres)).toBe(true);
      expect(alive(k.redis)).toBe(true);

      const r = clean(tmp, '--json');
      expect(r.code, r.stderr).toBe(0);
      const { local } = JSON.parse(r.stdout) as { local: Leftovers };
      expect(local.removed.map((x) => x.path).sort()).toEqual([k.postgres.dir, k.redis.dir].sort());
      const stopped = local.removed.flatMap((x) => x.stopped);
      expect(stopped).toEqual(expect.arrayContaining([k.postgres.record.serverPid, k.redis.record.serverPid]));
      expect(local.kept.map((x) => x.path).sort()).toEqual([l.postgres.dir, l.redis.dir].sort());
      for (const x of local.kept) expect(x.reason).toContain(`pid ${live.child.pid}`);

      expect(alive(k.postgres)).toBe(false);
      expect(alive(k.redis)).toBe(false);
      expect(fs.existsSync(k.postgres.dir)).toBe(false);
      expect(fs.existsSync(k.redis.dir)).toBe(false);
      // the live run's servers and folders are untouched, and it finishes on Ctrl-C as usual
      expect(alive(l.postgres)).toBe(true);
      expect(alive(l.redis)).toBe(true);
      expect(fs.existsSync(path.join(l.postgres.dir, 'data', 'PG_VERSION'))).toBe(true);
      live.child.kill('SIGINT');
      expect(await live.exited, live.output()).toBe(130);
      expect(alive(l.postgres)).toBe(false);
      expect(alive(l.redis)).toBe(false);
      expect(leftIn(tmp)).toEqual([]);

      // the text form says what it did; nothing left, nothing to say but that
      expect(clean(tmp).stdout.trim()).toBe(`no server folders of earlier runs in ${tmp}`);
    } finally {
      killed.child.kill('SIGKILL');
      live.child.kill('SIGKILL');
      clean(tmp); // whatever an assertion above left running
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('Ctrl-C twice', () => {
  it('exits 130 with the servers the run started stopped and their folders removed', async () => {
    const tmp = testTmpdir();
    const work = testTmpdir();
    const run = spawnCli(['run', '--scenario', tinyScenario(work, 30), '--out', work], ownServersEnv(tmp));
    try {
      const s = await waitMeasuring(run, tmp);
      run.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 50));
      run.child.kill('SIGINT');
      expect(await run.exited, run.output()).toBe(130);
      expect(run.output()).toContain('interrupted');
      expect(alive(s.postgres)).toBe(false);
      expect(alive(s.redis)).toBe(false);
      expect(leftIn(tmp)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      clean(tmp);
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
