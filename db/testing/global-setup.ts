/**
 * vitest global setup: a real PostgreSQL for the run. The server named by
 * CELLAR_TEST_DATABASE_URL when set (CI: the machine's PostgreSQL 15), otherwise an
 * embedded cluster started for the run. Migrated template databases are made once;
 * each test file clones its own databases from them (CREATE DATABASE … TEMPLATE).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedCluster } from '../embedded';
import { ensureNovaTemplates, NOVA_TEMPLATES_ENV, requireNova } from './nova/templates';
import { ensureTemplates } from './templates';

let cluster: EmbeddedCluster | undefined;

export async function setup(project: TestProject) {
  // The nova fixture (db/testing/nova) needs Debian's python3-nova: stop at once, with the
  // command that installs it, rather than skip its tests.
  requireNova();
  let url = process.env.CELLAR_TEST_DATABASE_URL;
  if (!url) {
    const dataDir = path.resolve('.test-data', 'vitest-pg');
    fs.mkdirSync(dataDir, { recursive: true });
    cluster = await startEmbedded({ dataDir, databases: [], log: (l) => console.log(`[test-db] ${l}`) });
    url = cluster.url('postgres');
    process.env.CELLAR_TEST_DATABASE_URL = url;
  }
  const templates = await ensureTemplates(url);
  process.env.CELLAR_TEST_TEMPLATE_API = templates.api;
  process.env.CELLAR_TEST_TEMPLATE_CELL = templates.cell;
  // A real nova deployment (nova-manage + fill_nova.py) as template databases, once per server.
  const nova = await ensureNovaTemplates(url);
  process.env[NOVA_TEMPLATES_ENV] = JSON.stringify({ ...nova, serverUrl: url });
  project.provide('testDatabaseUrl', url);
}

export async function teardown() {
  await cluster?.stop({ force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}
