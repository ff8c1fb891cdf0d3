import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openApiDatabase } from '@/db/connect';
import { prepareEmbeddedDeployment } from './embedded-deployment';

/** These tests are about the embedded default itself, so they always run it, whatever server the other tests use. */
const root = path.resolve('.test-data', `embedded-${process.pid}`);
const stops: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => {});
  fs.rmSync(root, { recursive: true, force: true });
});

function runChild(dataDir: string): Promise<{ child: ReturnType<typeof spawn>; info: { port: number; seeded: boolean } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('server/setup/embedded-child.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, info: JSON.parse(line!) });
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before setting up`)));
  });
}

describe('the embedded default', () => {
  it('survives kill -9 of its process: the next start adopts the running server and keeps the data, seeding nothing twice', async () => {
    const dataDir = path.join(root, 'killed');
    const first = await runChild(dataDir);
    expect(first.info.seeded).toBe(true);
    expect(first.info.port).not.toBe(5432);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const logs: string[] = [];
    const again = await prepareEmbeddedDeployment({ dataDir, log: (l) => logs.push(l) });
    stops.push(() => again.cluster.stop({ force: true }));
    expect(again.cluster.adopted).toBe(true);
    expect(again.seeded).toBe(false);
    expect(logs.join('\n')).toMatch(/Adopting the embedded PostgreSQL already running on this data directory \(pid \d+, port \d+\)/);

    const sql = postgres(again.apiUrl, { max: 1, onnotice: () => {} });
    try {
      const cells = await sql<{ name: string }[]>`select name from cell_mappings order by id`;
      expect(cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
      const [flavor] = await sql<{ n: number }[]>`select count(*)::int as n from flavors where name = 'm1.small'`;
      expect(flavor!.n).toBe(1);
      const [inst] = await sql<{ seeded: Date | null }[]>`select demo_seeded_at as seeded from cellar.installation`;
      expect(inst!.seeded).not.toBeNull();
    } finally {
      await sql.end();
    }
  });

  it('restarts cleanly after a stop, on the same port with the same data', async () => {
    const dataDir = path.join(root, 'restart');
    const a = await prepareEmbeddedDeployment({ dataDir, log: () => {}, demo: false });
    const port = a.cluster.port;
    await a.cluster.stop();
    const b = await prepareEmbeddedDeployment({ dataDir, log: () => {}, demo: false });
    stops.push(() => b.cluster.stop());
    expect(b.cluster.adopted).toBe(false);
    expect(b.cluster.port).toBe(port);
    expect(b.seeded).toBe(false);
  });

  it('runs the full set-up from a data directory the postgres user cannot reach, keeping the data where it can', async () => {
    const locked = path.join(root, 'locked');
    fs.mkdirSync(locked, { recursive: true, mode: 0o700 });
    fs.chmodSync(locked, 0o700);
    const home = path.join(root, 'home');
    process.env.CELLAR_EMBEDDED_HOME = home;
    try {
      const lines: string[] = [];
      const dep = await prepareEmbeddedDeployment({ dataDir: path.join(locked, 'data'), log: (l) => lines.push(l), demo: false });
      stops.push(() => dep.cluster.stop({ force: true }));
      const api = openApiDatabase(dep.apiUrl, { max: 1 });
      try {
        const cells = await api.sql<{ name: string }[]>`select name from cell_mappings order by id`;
        expect(cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
      } finally {
        await api.close();
      }
      // As root the server runs as `postgres`, which cannot pass a 0700 root directory: the
      // data lives under the home derived from it. Not root: the server runs as us, in place.
      if (process.getuid?.() === 0) {
        expect(dep.cluster.dataDir.startsWith(home)).toBe(true);
        expect(lines.some((l) => l.includes('keeps its data in'))).toBe(true);
      } else {
        expect(dep.cluster.dataDir).toBe(path.join(locked, 'data'));
      }
      expect(fs.statSync(locked).mode & 0o777).toBe(0o700);
    } finally {
      delete process.env.CELLAR_EMBEDDED_HOME;
    }
  });
});
