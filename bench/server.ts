/**
 * The PostgreSQL server a benchmark runs on: CELLAR_BENCH_DATABASE_URL, else
 * CELLAR_TEST_DATABASE_URL, else an embedded cluster in .test-data/bench.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmbedded } from '../db/embedded';
import { maskUrl } from '../db/url';

export async function benchServer(): Promise<{ url: string; stop(): Promise<void>; where: string }> {
  const configured = process.env.CELLAR_BENCH_DATABASE_URL || process.env.CELLAR_TEST_DATABASE_URL;
  if (configured) return { url: configured, stop: async () => {}, where: maskUrl(configured) ?? 'the configured server' };
  const dataDir = path.resolve('.test-data', 'bench');
  fs.mkdirSync(dataDir, { recursive: true });
  const cluster = await startEmbedded({ dataDir, databases: [], log: (l) => console.log(`[bench-db] ${l}`) });
  return { url: cluster.url('postgres'), stop: () => cluster.stop({ force: true }), where: `an embedded cluster in ${dataDir}` };
}
