import 'server-only';
import { eq } from 'drizzle-orm';
import { cellMappings, installation } from '@/db/api/schema';
import { type ApiHandle, openApiDatabase, openCellDatabase } from '@/db/connect';
import { type EmbeddedCluster, startEmbedded } from '@/db/embedded';
import { applyMigrations } from '@/db/migrate';
import { expandTemplate } from '@/db/url';
import { ensureDemoUsers } from '../auth/demo-users';
import { seedDemo } from '../demo/seed';
import { CELL0_TRANSPORT_URL, CELL0_UUID } from '../nova/constants';

/** The embedded default's databases: the api database and three cells, one cluster. */
export const EMBEDDED_DATABASES = ['api', 'cell0', 'cell1', 'cell2'] as const;

/**
 * Cell URLs are stored as nova-style templates over CELLAR_DATABASE_URL, so the
 * embedded cluster can move to another port (or get a new password) without touching
 * cell_mappings, exactly as a nova deployment uses [database]/connection.
 */
const cellUrlTemplate = (db: string) => `{scheme}://{username}:{password}@{hostname}:{port}/${db}`;

const DEMO_CELLS = [
  { uuid: CELL0_UUID, name: 'cell0', db: 'cell0', transport: CELL0_TRANSPORT_URL },
  {
    uuid: '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101',
    name: 'cell1',
    db: 'cell1',
    transport: 'rabbit://nova:r4bb1t-cell1@rabbit1.cell1.example.net:5672,nova:r4bb1t-cell1@rabbit2.cell1.example.net:5672/nova_cell1',
  },
  {
    uuid: 'b7e0f7a2-6d35-4d6e-8f0b-3c9e4d2a7f02',
    name: 'cell2',
    db: 'cell2',
    transport: 'rabbit://nova:r4bb1t-cell2@rabbit.cell2.example.net:5672/nova_cell2',
  },
] as const;

export interface EmbeddedDeployment {
  cluster: EmbeddedCluster;
  apiUrl: string;
  baseUrl: string;
  seeded: boolean;
}

/**
 * Start (or adopt) the embedded cluster, migrate its databases, map its cells and, on the
 * very first start only, generate the demo deployment. Restarts keep the data.
 */
export async function prepareEmbeddedDeployment(opts: { dataDir: string; log: (line: string) => void; demo?: boolean }): Promise<EmbeddedDeployment> {
  const cluster = await startEmbedded({ dataDir: opts.dataDir, databases: [...EMBEDDED_DATABASES], log: opts.log });
  const apiUrl = cluster.url('api');
  const baseUrl = apiUrl;
  const api = openApiDatabase(apiUrl, { max: 3, applicationName: 'cellar:setup' });
  try {
    await applyMigrations(api, 'api');
    for (const c of DEMO_CELLS) {
      const cell = openCellDatabase(cluster.url(c.db), { max: 1, applicationName: 'cellar:setup' });
      try {
        await applyMigrations(cell, 'cell');
      } finally {
        await cell.close();
      }
    }
    const seeded = await mapAndSeedOnce(api, baseUrl, opts.demo ?? true, opts.log);
    // Demo only: one user per role (README, sign-in page), made once per demo installation.
    if (await ensureDemoUsers(api)) opts.log('Created the demo users viewer, support and operator (demo only; see the README).');
    return { cluster, apiUrl, baseUrl, seeded };
  } finally {
    await api.close();
  }
}

async function mapAndSeedOnce(api: ApiHandle, baseUrl: string, demo: boolean, log: (l: string) => void): Promise<boolean> {
  // The console and the CLI may start together: one of them sets up, the other waits.
  const lock = await api.sql.reserve();
  try {
    await lock`select pg_advisory_lock(hashtext('cellar-embedded-setup'))`;
    const [inst] = await api.db.select().from(installation).where(eq(installation.id, 1));
    if (inst) return false;
    const existing = await api.db.select().from(cellMappings);
    if (existing.length > 0) {
      // Someone mapped cells here without finishing set-up: keep their data, seed nothing over it.
      log('Cell mappings already exist in the embedded api database; not generating the demo over them.');
      await api.db.insert(installation).values({ id: 1, notes: { embedded: true, demo: false } });
      return false;
    }
    const mapped = await api.db
      .insert(cellMappings)
      .values(DEMO_CELLS.map((c) => ({ uuid: c.uuid, name: c.name, transportUrl: c.transport, databaseConnection: cellUrlTemplate(c.db) })))
      .returning();
    if (demo) {
      const byUuid = new Map(mapped.map((m) => [m.uuid, m]));
      const handles = DEMO_CELLS.map((c) => openCellDatabase(expandTemplate(cellUrlTemplate(c.db), baseUrl), { max: 2, applicationName: 'cellar:demo' }));
      try {
        const ref = (i: number) => ({ id: byUuid.get(DEMO_CELLS[i]!.uuid)!.id, uuid: DEMO_CELLS[i]!.uuid, handle: handles[i]! });
        await seedDemo({ api, cells: { cell0: ref(0), cell1: ref(1), cell2: ref(2) } });
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
      log('Generated the demo deployment (first start only): cells cell1 and cell2, cell0 with failed boots, pending build requests.');
    }
    // Written last: a start that dies half way is visible as "no installation row".
    await api.db.insert(installation).values({ id: 1, demoSeededAt: demo ? new Date() : null, notes: { embedded: true, demo } });
    return demo;
  } finally {
    await lock`select pg_advisory_unlock(hashtext('cellar-embedded-setup'))`.catch(() => {});
    lock.release();
  }
}
