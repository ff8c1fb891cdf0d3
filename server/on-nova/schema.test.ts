/**
 * Two kinds of schema, kept apart: on a deployment nova made, Cellar adds its own schema
 * `cellar` to the api database and never creates, alters or drops anything of nova's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { expectedMigrations, readSchemaStatus } from '@/db/migrate';
import { readSchemaOwner } from '@/db/schema-owner';
import { runCli } from '../cli/testing';
import { migrateApiAndSay, sayCellSchemas } from '../start/schema-report';
import { cellarOnNova, type CellarOnNova } from './testing';

let t: CellarOnNova;
let before: Record<string, string>;
beforeAll(async () => {
  // Nothing of Cellar's yet: the state a deployment is in before Cellar's first start.
  t = await cellarOnNova({ migrate: false });
  before = await t.nova.dumpPublicSchemas();
});
afterAll(async () => {
  await t?.close();
});

const cellarMigrations = ((n: number) => `${n} migration${n === 1 ? '' : 's'}`)(expectedMigrations('cellar').count);

describe("Cellar's schema beside nova's", { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it('the start adds the cellar schema, says one line per database, and leaves every nova schema byte for byte as it was', async () => {
    const lines: string[] = [];
    await migrateApiAndSay(t.deps.api, (l) => lines.push(l));
    await sayCellSchemas(t.deps.api, t.deps.registry, t.deps.deadlineMs, (l) => lines.push(l));
    expect(lines).toEqual([
      `api database: nova schema b30f573d3377 (nova 26 Zed), made by nova; Cellar schema current (applied ${cellarMigrations})`,
      'cell cell0: nova schema ccb0fa1a2252 (nova 26 Zed), made by nova; Cellar changes nothing in it',
      'cell cell1: nova schema ccb0fa1a2252 (nova 26 Zed), made by nova; Cellar changes nothing in it',
      'cell cell2: nova schema ccb0fa1a2252 (nova 26 Zed), made by nova; Cellar changes nothing in it',
    ]);
    const [c] = await t.deps.api.sql<{ jobs: boolean; tracking: boolean }[]>`
      select to_regclass('cellar.jobs') is not null as jobs, to_regclass('cellar.nova_tables_migrations') is not null as tracking`;
    expect(c).toEqual({ jobs: true, tracking: false });
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
    // A second start finds it all current and does nothing.
    const again: string[] = [];
    await migrateApiAndSay(t.deps.api, (l) => again.push(l));
    expect(again).toEqual(['api database: nova schema b30f573d3377 (nova 26 Zed), made by nova; Cellar schema current (nothing to apply)']);
  });

  it('db sync on a nova-made cell changes nothing in it and says so; --all-cells likewise', async () => {
    const env = { apiUrl: t.nova.api.url };
    const one = await runCli(['db', 'sync', '--cell_uuid', t.nova.cell1.uuid], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`cell cell1 (${t.nova.cell1.uuid}): nova schema ccb0fa1a2252 (nova 26 Zed), made by nova; Cellar changes nothing in it`);
    const all = await runCli(['db', 'sync', '--all-cells'], env);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter((l) => l.includes('Cellar changes nothing in it'))).toHaveLength(3);
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
    for (const cell of [t.nova.cell0, t.nova.cell1, t.nova.cell2]) {
      const sql = t.deps.registry.handleFor({ id: 0, uuid: cell.uuid, name: cell.name, databaseConnection: cell.novaUrl }).sql;
      const [s] = await sql<{ n: number }[]>`select count(*)::int as n from pg_namespace where nspname = 'cellar'`;
      expect(s!.n).toBe(0);
    }
  });

  it("reads nova's revision, the release it belongs to and the columns Cellar reads", async () => {
    expect(await readSchemaOwner(t.deps.api.sql, 'api')).toEqual({ owner: 'nova', novaRevision: 'b30f573d3377', legacyVersion: null });
    const api = await readSchemaStatus(t.deps.api.sql, 'api');
    expect(api).toMatchObject({ state: 'current', madeBy: 'nova', release: 'nova 26 Zed', missingColumns: [] });
  });
});

describe('the CLI first, before any console start', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it("adds Cellar's schema itself, so discover_hosts --dry-run and map_instances work on a nova deployment Cellar never saw", async () => {
    const fresh = await cellarOnNova({ migrate: false });
    try {
      const env = { apiUrl: fresh.nova.api.url };
      const dry = await runCli(['discover_hosts', '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(fresh.nova.facts.hosts.unmapped[0]);
      expect(dry.stderr).toContain(`api database: nova schema b30f573d3377 (nova 26 Zed), made by nova; Cellar schema current (applied ${cellarMigrations})`);
      const map = await runCli(['map_instances', '--cell_uuid', fresh.nova.cell1.uuid], env);
      expect(map.code, map.stderr).toBe(0);
      expect(map.stderr).not.toMatch(/select|insert/i);
    } finally {
      await fresh.close();
    }
  });
});
