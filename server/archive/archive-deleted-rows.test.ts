import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { cellarOnNova, type CellarOnNova } from '../on-nova/testing';
import { refusal } from '../testing';
import { archiveDeletedRows, archiveDryRun } from './archive-deleted-rows';
import { parseBefore } from './contract';
import { purgeDryRun, purgeShadowTables } from './purge-shadow';
import { ROWS_PER_INSTANCE, seedDeletedInstances, taggedCounts } from './testing';

let t: CellarOnNova;
let cell1Id: number;
let cell1: import('postgres').Sql;
beforeAll(async () => {
  t = await cellarOnNova();
  const [c] = await t.deps.api.sql<{ id: number }[]>`select id from cell_mappings where uuid = ${t.nova.cell1.uuid}`;
  cell1Id = c!.id;
  cell1 = (await import('postgres')).default(t.nova.cell1.url, { max: 2, onnotice: () => {} });
}, NOVA_TEST_TIMEOUT_MS);
afterAll(async () => {
  await cell1?.end({ timeout: 2 });
  await t?.close();
});

const apiRows = async (uuids: string[]) => {
  const [r] = await t.deps.api.sql<{ m: number; s: number }[]>`
    select (select count(*) from instance_mappings where instance_uuid = any(${uuids}))::int as m,
           (select count(*) from request_specs where instance_uuid = any(${uuids}))::int as s`;
  return r!;
};

describe('archive_deleted_rows on a nova-made deployment', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it('the dry run counts per cell and table and changes nothing; the run moves exactly the soft-deleted rows, children with them', async () => {
    const old = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'arc-old', count: 30, deletedAt: '2001-01-01 00:00:00', cellId: cell1Id });
    const live = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'arc-live', count: 5, cellId: cell1Id, live: true });
    const before = parseBefore('2001-06-01')!;
    const dry = await archiveDryRun(t.deps, { before });
    const c1 = dry.cells.find((c) => c.uuid === t.nova.cell1.uuid)!;
    expect(c1).toMatchObject({
      status: 'up',
      total: 30 * ROWS_PER_INSTANCE,
      tables: {
        instances: 30,
        instance_extra: 30,
        instance_info_caches: 30,
        instance_system_metadata: 60,
        instance_faults: 30,
        instance_actions: 30,
        instance_actions_events: 30,
      },
    });
    expect(c1.skipped.map((s) => s.table).sort()).toEqual(['console_auth_tokens', 'tags']);
    expect(dry.api).toEqual({ instance_mappings: 30, request_specs: 30 });
    expect((await taggedCounts(cell1, 'arc-old')).shadow_instances).toBe(0);

    // max_rows limits the parents taken (the lowest ids), as nova: 10 instances, and their rows with them.
    const first = await archiveDeletedRows(t.deps, { maxRows: 10, before });
    expect(first).toMatchObject({ exitCode: 1, total: 10 * ROWS_PER_INSTANCE });
    expect(first.rows).toMatchObject({
      [`${t.nova.cell1.name}.instances`]: 10,
      [`${t.nova.cell1.name}.instance_actions_events`]: 10,
      'API_DB.instance_mappings': 10,
    });
    expect((await taggedCounts(cell1, 'arc-old')).shadow_instances).toBe(10);
    // until complete: the rest, in batches of 5 instances.
    let batches = 0;
    const rest = await archiveDeletedRows(t.deps, { maxRows: 5, before, untilComplete: true, onBatch: () => void batches++ });
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(rest.exitCode).toBe(1);
    expect(first.total + rest.total).toBe(30 * ROWS_PER_INSTANCE);
    expect(rest.rows['API_DB.instance_mappings']! + (first.rows['API_DB.instance_mappings'] ?? 0)).toBe(30);

    const after = await taggedCounts(cell1, 'arc-old');
    expect(after).toMatchObject({
      instances: 0,
      shadow_instances: 30,
      instance_extra: 0,
      shadow_instance_extra: 30,
      shadow_instance_system_metadata: 60,
      shadow_instance_faults: 30,
      shadow_instance_actions: 30,
      instance_actions_events: 0,
      shadow_instance_actions_events: 30,
    });
    expect(await taggedCounts(cell1, 'arc-live')).toMatchObject({ instances: 5, shadow_instances: 0, instance_extra: 5, instance_actions_events: 5 });
    expect(await apiRows(old.uuids)).toEqual({ m: 0, s: 0 });
    expect(await apiRows(live.uuids)).toEqual({ m: 5, s: 5 });

    // A second run finds nothing before the date: rc 0.
    const again = await archiveDeletedRows(t.deps, { maxRows: 1000, before, untilComplete: true });
    expect(again).toMatchObject({ exitCode: 0, total: 0, rows: {} });
  });

  it('--before leaves rows deleted later; nova-manage archive_deleted_rows then finds nothing more', async () => {
    const recent = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'arc-new', count: 4, deletedAt: '2002-01-01 00:00:00', cellId: cell1Id });
    const none = await archiveDeletedRows(t.deps, { maxRows: 1000, before: parseBefore('2001-12-31')!, untilComplete: true });
    expect(none.exitCode).toBe(0);
    expect((await taggedCounts(cell1, 'arc-new')).instances).toBe(4);
    // Everything else soft-deleted in nova's own facts too: all cells.
    const all = await archiveDeletedRows(t.deps, { maxRows: 1000, before: null, untilComplete: true });
    expect(all.exitCode).toBe(1);
    expect(all.rows[`${t.nova.cell1.name}.instances`]).toBeGreaterThanOrEqual(4);
    expect(await apiRows(recent.uuids)).toEqual({ m: 0, s: 0 });
    const nova = await t.nova.novaManage(['db', 'archive_deleted_rows', '--all-cells', '--verbose', '--until-complete']);
    expect(nova.stdout).toContain('Nothing was archived.');
    expect(nova.code).toBe(0);
  });

  it('refuses a bad max_rows with 2 and names a down cell, skipping it, with 255', async () => {
    expect(await refusal(archiveDeletedRows(t.deps, { maxRows: -1, before: null }))).toMatchObject({
      exitCode: 2,
      message: 'Must supply a positive value for max_rows',
    });
    expect(await refusal(archiveDeletedRows(t.deps, { maxRows: 2 ** 31, before: null }))).toMatchObject({ exitCode: 2 });
    await t.deps.api.sql`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled, created_at)
      values ('9d0c0b7e-0000-4000-8000-00000000dead', 'arc-down', 'rabbit://x/', 'postgresql://nova:pw@127.0.0.1:1/nova_x', false, now() at time zone 'utc')`;
    try {
      const seeded = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'arc-d', count: 2, cellId: cell1Id });
      const r = await archiveDeletedRows(t.deps, { maxRows: 1000, before: null, untilComplete: true });
      expect(r.exitCode).toBe(255);
      expect(r.cells.find((c) => c.name === 'arc-down')!.down).toMatch(/^Cell arc-down does not answer \(refused: .*\); it was skipped\.$/);
      expect((await taggedCounts(cell1, 'arc-d')).shadow_instances).toBe(2);
      expect(await apiRows(seeded.uuids)).toEqual({ m: 0, s: 0 });
      const dry = await archiveDryRun(t.deps, { before: null });
      expect(dry.cells.find((c) => c.name === 'arc-down')).toMatchObject({ status: 'down' });
    } finally {
      await t.deps.api.sql`delete from cell_mappings where uuid = '9d0c0b7e-0000-4000-8000-00000000dead'`;
    }
  });

  it('purge: the dry run counts the shadow rows before the date, the run deletes exactly them (rc 0), again rc 3', async () => {
    const before = parseBefore('2001-06-01')!;
    const dry = await purgeDryRun(t.deps, { before });
    const c1 = dry.cells.find((c) => c.uuid === t.nova.cell1.uuid)!;
    // instance_actions go by created_at (nova's override), which the seed leaves at now: they stay.
    expect(c1.tables).toMatchObject({ shadow_instances: 30, shadow_instance_extra: 30, shadow_instance_system_metadata: 60 });
    expect(c1.tables.shadow_instance_actions).toBeUndefined();
    const r = await purgeShadowTables(t.deps, { before });
    expect(r.exitCode).toBe(0);
    expect(r.cells.find((c) => c.uuid === t.nova.cell1.uuid)!.tables).toEqual(c1.tables);
    expect((await taggedCounts(cell1, 'arc-old')).shadow_instances).toBe(0);
    expect((await taggedCounts(cell1, 'arc-new')).shadow_instances).toBe(4);
    expect((await purgeShadowTables(t.deps, { before })).exitCode).toBe(3);
    const all = await purgeShadowTables(t.deps, { before: null });
    expect(all.exitCode).toBe(0);
    expect((await taggedCounts(cell1, 'arc-new')).shadow_instances).toBe(0);
  });
});
