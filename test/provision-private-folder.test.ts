// Run as root from a checkout in a folder only root may enter (/root, a container's home): the
// embedded Postgres runs as the postgres account, which cannot reach the package's binaries
// there. The README's command must still work, and leave nothing readable behind.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Results } from '../harness/results/types.ts';
import { BIN, ownServersEnv, readableByOthers, spawnCli, testTmpdir } from './support/own-servers.ts';

const isRoot = process.getuid?.() === 0;
const CACHE_PREFIX = 'counterbench-pgbin-';

/** The checkout's files in a 0700 folder; node_modules hard-linked, so its binaries are reached through the private path. */
function privateCheckout(): string {
  const priv = fs.mkdtempSync(path.join(os.tmpdir(), 'cbtest-private-'));
  expect(fs.statSync(priv).mode & 0o777).toBe(0o700);
  const cb = path.join(priv, 'cb');
  fs.mkdirSync(cb);
  for (const f of ['bin', 'harness', 'sql', 'scenarios', 'reports', 'package.json', 'tsconfig.json']) execFileSync('cp', ['-a', f, cb]);
  // the real folder, also when this checkout's node_modules is a link to another's
  execFileSync('cp', ['-al', fs.realpathSync('node_modules'), path.join(cb, 'node_modules')]);
  return priv;
}

describe.skipIf(!isRoot)('the embedded Postgres under root (skipped when not root: the postgres account only matters then)', () => {
  it('runs from a checkout only root may enter, leaves no file others can read and nothing but the binaries cache behind', async () => {
    const priv = privateCheckout();
    const tmp = testTmpdir();
    try {
      const out = path.join(priv, 'out');
      const run = spawnCli(
        ['run', '--scenario', 'smoke', '--duration', '1', '--strategies', 'baseline,redis-queue', '--out', out],
        ownServersEnv(tmp),
        path.join(priv, 'cb'),
        path.join(priv, 'cb', 'bin', 'counterbench.mjs'),
      );
      // look at the temp dir all along the run: the password file lives only while initdb runs
      const readable = new Set<string>();
      const seen = new Set<string>();
      let done = false;
      void run.exited.then(() => (done = true));
      while (!done) {
        for (const f of readableByOthers(tmp, (n) => n.startsWith(CACHE_PREFIX))) readable.add(f);
        for (const n of fs.readdirSync(tmp)) seen.add(n);
        await new Promise((r) => setTimeout(r, 25));
      }
      const code = await run.exited;
      expect(code, run.output()).toBe(0);
      const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
      expect(results.run.environment.target).toBe('embedded');
      expect(results.strategies.map((s) => [s.id, s.status])).toEqual([
        ['baseline', 'ok'],
        ['redis-queue', 'ok'],
      ]);
      expect(results.strategies[0].ops.write!.count).toBeGreaterThan(0);

      // both servers were started in the test's temp dir, and nothing of them was readable by others
      expect([...seen].some((n) => n.startsWith('counterbench-pg-'))).toBe(true);
      expect([...seen].some((n) => n.startsWith('counterbench-redis-'))).toBe(true);
      expect([...readable]).toEqual([]);
      expect([...seen].filter((n) => n.startsWith('pg-password-'))).toEqual([]);
      // all that stays is the copy of the binaries the postgres account could not reach: root's, not writable by others
      const left = fs.readdirSync(tmp);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(new RegExp(`^${CACHE_PREFIX}`));
      const cache = fs.statSync(path.join(tmp, left[0]));
      expect([cache.uid, cache.mode & 0o777]).toEqual([0, 0o755]);
    } finally {
      fs.rmSync(priv, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a temp dir the postgres account cannot enter is one line naming the fix, exit 2, and nothing left in it', () => {
    const priv = fs.mkdtempSync(path.join(os.tmpdir(), 'cbtest-private-')); // 0700
    const tmp = path.join(priv, 'tmp');
    fs.mkdirSync(tmp, { mode: 0o755 });
    try {
      const r = spawnSync(process.execPath, [BIN, 'run', '--scenario', 'smoke', '--duration', '1'], { env: ownServersEnv(tmp), encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(tmp);
      expect(lines[0]).toMatch(/set TMPDIR to a folder it can enter/);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      fs.rmSync(priv, { recursive: true, force: true });
    }
  });
});
