import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDatabase, openCellDatabase } from './connect';
import postgres from 'postgres';
import { applyMigrations, cellSchemaStatus, describeMigration, readSchemaStatus, expectedMigrations } from './migrate';
import { revisionSupport, supportedRange } from './nova-releases';
import { readSchemaOwner } from './schema-owner';
import { closedPort } from './testing/network';
import { parseDbUrl } from './url';
import { createTestDeployment, type TestDeployment } from './testing/deployment';

let dep: TestDeployment;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
});
afterAll(async () => {
  await dep?.close();
});

const emptyDatabase = async () => (await dep.createCellDatabase({ migrated: false })).url;

describe('applyMigrations on databases Cellar makes', () => {
  it('creates the nova-compatible tables and Cellar schema in an empty api database, then has nothing to do', async () => {
    const api = openApiDatabase(await emptyDatabase(), { max: 1 });
    try {
      expect((await readSchemaOwner(api.sql, 'api')).owner).toBe('empty');
      const first = await applyMigrations(api, 'api');
      expect(first).toMatchObject({ madeBy: 'empty', status: { state: 'current', madeBy: 'cellar' } });
      expect(first.applied).toBe(expectedMigrations('api-tables').count + expectedMigrations('cellar').count);
      const [t] = await api.sql<{ cm: boolean; jobs: boolean }[]>`
        select to_regclass('public.cell_mappings') is not null as cm, to_regclass('cellar.jobs') is not null as jobs`;
      expect(t).toEqual({ cm: true, jobs: true });
      const second = await applyMigrations(api, 'api');
      expect(second.applied).toBe(0);
      expect(describeMigration('api database', second)).toBe(
        'api database: nova-compatible tables made by Cellar, current; Cellar schema current (nothing to apply)',
      );
    } finally {
      await api.close();
    }
  });

  it('adopts an api database made by an older Cellar (one journal for both) without creating its tables again', async () => {
    const api = openApiDatabase(await emptyDatabase(), { max: 1 });
    try {
      await applyMigrations(api, 'api');
      await api.sql`insert into cell_mappings (uuid, name, transport_url, database_connection) values ('c0ffee00-0000-4000-8000-000000000001', 'kept', 'none:///', 'postgresql://x@127.0.0.1/y')`;
      // What the old layout left: nova-compatible tables and cellar.schema_migrations, no tracking of their own.
      await api.sql`drop table cellar.nova_tables_migrations`;
      expect((await readSchemaOwner(api.sql, 'api')).owner).toBe('cellar');
      const r = await applyMigrations(api, 'api');
      expect(r.status.state).toBe('current');
      const [n] = await api.sql<{ n: number }[]>`select count(*)::int as n from cell_mappings where name = 'kept'`;
      expect(n!.n).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('migrates an empty cell database and reports a Cellar-made cell by its migrations', async () => {
    const cell = openCellDatabase(await emptyDatabase(), { max: 1 });
    try {
      expect((await readSchemaStatus(cell.sql, 'cell')).state).toBe('uninitialised');
      const r = await applyMigrations(cell, 'cell');
      expect(describeMigration('cell c', r)).toBe('cell c: empty, nova-compatible tables created (applied 1 migration)');
      expect(await readSchemaStatus(cell.sql, 'cell')).toMatchObject({ state: 'current', madeBy: 'cellar', novaRevision: null, missingColumns: [] });
    } finally {
      await cell.close();
    }
  });

  it("treats a database with nova's tables but no version table as nova's, and never creates anything in it", async () => {
    const cell = openCellDatabase(await emptyDatabase(), { max: 1 });
    try {
      await cell.sql`create table instances (id serial primary key, uuid varchar(36) not null)`;
      const r = await applyMigrations(cell, 'cell');
      expect(r).toMatchObject({ madeBy: 'nova', applied: 0 });
      expect(r.status.state).toBe('unsupported');
      const [t] = await cell.sql<{ n: number }[]>`select count(*)::int as n from pg_tables where schemaname in ('public', 'cellar')`;
      expect(t!.n).toBe(1);
    } finally {
      await cell.close();
    }
  });

  it('names the columns a nova-made cell lacks', async () => {
    const cell = openCellDatabase(await emptyDatabase(), { max: 1 });
    try {
      await applyMigrations(cell, 'cell');
      // Make it look like nova's: its alembic table, and one column Cellar reads gone.
      await cell.sql.unsafe(
        `create table alembic_version (version_num varchar(32) not null primary key); insert into alembic_version values ('ccb0fa1a2252'); alter table instances drop column hidden; drop table cellar.schema_migrations`,
      );
      const s = await readSchemaStatus(cell.sql, 'cell');
      expect(s).toMatchObject({ state: 'incomplete', madeBy: 'nova', novaRevision: 'ccb0fa1a2252', missingColumns: ['instances.hidden'] });
      expect(s.summary).toBe('nova schema ccb0fa1a2252 (nova 26 Zed) lacks column Cellar reads: instances.hidden');
      // instances.compute_id arrived in 2023.2: a Zed cell without it is complete.
      await cell.sql`alter table instances add column hidden boolean`;
      await cell.sql`alter table instances drop column compute_id`;
      expect(await readSchemaStatus(cell.sql, 'cell')).toMatchObject({ state: 'current', missingColumns: [] });
    } finally {
      await cell.close();
    }
  });
});

describe('revisionSupport', () => {
  it("names nova's releases for the heads Cellar supports, and refuses older ones", () => {
    expect(revisionSupport('api', 'b30f573d3377')).toEqual({ kind: 'supported', label: 'nova 26 Zed' });
    expect(revisionSupport('cell', 'ccb0fa1a2252')).toEqual({ kind: 'supported', label: 'nova 26 Zed' });
    expect(revisionSupport('cell', '1acf2c98e646')).toEqual({ kind: 'supported', label: 'nova 28 2023.2 Bobcat' });
    expect(revisionSupport('cell', '960aac0e09ea').label).toBe('nova 27 2023.1 Antelope, upgrade in progress');
    expect(revisionSupport('cell', '16f1fbcab42b').kind).toBe('unsupported');
    expect(revisionSupport('api', 'd67eeaabee36').kind).toBe('unsupported');
    expect(revisionSupport('cell', 'ffffffffffff').kind).toBe('unknown');
    expect(supportedRange()).toBe('nova 26 Zed through nova 33 2026.1 Gazpacho');
  });
});

describe('cellSchemaStatus: what the pages that read every cell take as its schema state', () => {
  it('reads a database once within its memory time, forgets at once when Cellar migrates it, and keeps no failed reading', async () => {
    const url = await emptyDatabase();
    let queries = 0;
    const cell = openCellDatabase(url, { max: 1 });
    const counted = postgres(parseDbUrl(url).url, { max: 1, onnotice: () => {}, debug: () => void queries++ });
    try {
      expect((await cellSchemaStatus(counted)).state).toBe('uninitialised');
      const first = queries;
      expect(first).toBeGreaterThan(0);
      expect((await Promise.all([cellSchemaStatus(counted), cellSchemaStatus(counted)])).map((s) => s.state)).toEqual(['uninitialised', 'uninitialised']);
      expect(queries).toBe(first);
      // Cellar's own migration: the next page sees the new state at once.
      await applyMigrations(cell, 'cell');
      expect((await cellSchemaStatus(counted)).state).toBe('current');
      expect(queries).toBeGreaterThan(first);
    } finally {
      await counted.end({ timeout: 2 });
      await cell.close();
    }
    // A database that cannot be read is asked again next time, not remembered as failing.
    const closed = postgres(`postgresql://nova:pw@127.0.0.1:${await closedPort()}/nova_cellx`, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await expect(cellSchemaStatus(closed)).rejects.toThrow();
      await expect(cellSchemaStatus(closed)).rejects.toThrow();
    } finally {
      await closed.end({ timeout: 1 });
    }
  });
});
