/**
 * A throwaway Cellar deployment on the real test server: an api database and cell
 * databases cloned from migrated templates, with cell mappings in the api database.
 */
import crypto from 'node:crypto';

import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { cellMappings } from '../api/schema';
import { type ApiHandle, type CellHandle, openApiDatabase, openCellDatabase } from '../connect';
import { type CellRef, CellRegistry } from '../registry';
import { withDatabase } from './templates';

export const CELL0_UUID = '00000000-0000-0000-0000-000000000000';

export interface TestCell {
  id: number;
  uuid: string;
  name: string | null;
  database: string;
  url: string;
  handle: CellHandle;
}

export interface TestDeployment {
  serverUrl: string;
  apiUrl: string;
  api: ApiHandle;
  registry: CellRegistry;
  cell0: TestCell;
  cells: TestCell[];
  /** Clone a fresh migrated cell database (not mapped). */
  createCellDatabase(opts?: { migrated?: boolean }): Promise<{ database: string; url: string }>;
  /** Add a cell mapping; with no url a fresh migrated database is made for it. */
  addCell(opts: {
    name?: string | null;
    url?: string;
    uuid?: string;
    disabled?: boolean;
    transportUrl?: string;
  }): Promise<TestCell | { id: number; uuid: string; name: string | null; url: string }>;
  /** The cell mapping of that name, as the registry takes it (throws when there is none). */
  cellNamed(name: string): Promise<CellRef>;
  close(): Promise<void>;
}

/** The test PostgreSQL server (its maintenance database). */
export function serverUrl(): string {
  return process.env.CELLAR_TEST_DATABASE_URL ?? inject('testDatabaseUrl');
}

export async function createTestDeployment(opts: { cells?: string[] } = {}): Promise<TestDeployment> {
  const server = serverUrl();
  const tplApi = process.env.CELLAR_TEST_TEMPLATE_API!;
  const tplCell = process.env.CELLAR_TEST_TEMPLATE_CELL!;
  const admin = postgres(withDatabase(server, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `t_${crypto.randomBytes(5).toString('hex')}`;
  const created: string[] = [];
  let n = 0;
  const clone = async (template: string | null) => {
    const name = `${tag}_${n++}`;
    await admin.unsafe(template ? `create database "${name}" template "${template}"` : `create database "${name}"`);
    created.push(name);
    return name;
  };
  const apiName = await clone(tplApi);
  const apiUrl = withDatabase(server, apiName);
  const api = openApiDatabase(apiUrl, { max: 5 });
  const registry = new CellRegistry({ baseUrl: apiUrl });
  const handles: CellHandle[] = [];

  const addCell: TestDeployment['addCell'] = async ({ name = null, url, uuid = crypto.randomUUID(), disabled = false, transportUrl }) => {
    let database: string | undefined;
    let cellUrl = url;
    if (!cellUrl) {
      database = await clone(tplCell);
      cellUrl = withDatabase(server, database);
    }
    const [row] = await api.db
      .insert(cellMappings)
      .values({ uuid, name, databaseConnection: cellUrl, transportUrl: transportUrl ?? 'rabbit://guest:guest@127.0.0.1:5672/', disabled })
      .returning();
    if (!database) return { id: row!.id, uuid, name, url: cellUrl };
    const handle = openCellDatabase(cellUrl, { max: 3 });
    handles.push(handle);
    return { id: row!.id, uuid, name, database, url: cellUrl, handle };
  };

  const cell0 = (await addCell({ name: 'cell0', uuid: CELL0_UUID, transportUrl: 'none:///' })) as TestCell;
  const cells: TestCell[] = [];
  for (const name of opts.cells ?? ['cell1', 'cell2']) cells.push((await addCell({ name })) as TestCell);

  return {
    serverUrl: server,
    apiUrl,
    api,
    registry,
    cell0,
    cells,
    async createCellDatabase({ migrated = true } = {}) {
      const database = await clone(migrated ? tplCell : null);
      return { database, url: withDatabase(server, database) };
    },
    addCell,
    async cellNamed(name) {
      const [row] = await api.db.select().from(cellMappings).where(eq(cellMappings.name, name));
      if (!row) throw new Error(`no cell mapping named ${name}`);
      return row;
    },
    async close() {
      await registry.closeAll();
      await Promise.all(handles.map((h) => h.close()));
      await api.close();
      for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 2 });
    },
  };
}
