import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { type CellarError, isCellarError } from '../errors';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { MAP_ALL_BATCH, mapInstances } from './map-instances';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
let n = 0;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
});
afterAll(() => dep?.close());


/** A cell with `count` instances created one minute apart (uuids deliberately out of created_at order). */
async function cellWithInstances(count: number, extra = ''): Promise<{ cell: TestCell; uuids: string[] }> {
  const cell = (await dep.addCell({ name: `mi-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
  const rows = await cell.handle.sql<{ uuid: string }[]>`
    insert into instances (uuid, project_id, user_id, vm_state, deleted, created_at)
    select md5(i::text || ${extra})::uuid::text, 'p' || (i % 3), 'u', case when i % 4 = 0 then 'deleted' else 'active' end,
           case when i % 4 = 0 then i else 0 end, timestamp '2026-01-01' + i * interval '1 minute'
    from generate_series(1, ${count}) as i
    returning uuid`;
  return { cell, uuids: rows.map((r) => r.uuid) };
}
const mappingsOf = async (cellId: number) =>
  (await dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from instance_mappings where cell_id = ${cellId}`).map((r) => r.instance_uuid);
const markers = () =>
  dep.api.sql<{ instance_uuid: string; user_id: string; cell_id: number | null }[]>`
    select instance_uuid, user_id, cell_id from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}`;

describe('mapInstances', () => {
  it('maps every instance, deleted ones included, with project and user, and says all are mapped (exit 0)', async () => {
    const { cell, uuids } = await cellWithInstances(12, 'a');
    const r = await mapInstances(deps, { cellUuid: cell.uuid });
    expect(r).toEqual({ exitCode: 0, scanned: 12, mapped: 12, alreadyMapped: 0, skipped: 0, marker: null });
    expect((await mappingsOf(cell.id)).sort()).toEqual([...uuids].sort());
    const [one] = await dep.api.sql`select project_id, user_id, queued_for_delete from instance_mappings where instance_uuid = ${uuids[3]!}`;
    expect(one).toEqual({ project_id: 'p1', user_id: 'u', queued_for_delete: false });
    const again = await mapInstances(deps, { cellUuid: cell.uuid });
    expect(again).toMatchObject({ exitCode: 0, mapped: 0, alreadyMapped: 12 });
  });

  it('with --max-count walks by created_at, saving nova\'s marker (uuid with spaces) until the end', async () => {
    const { cell } = await cellWithInstances(5, 'b');
    const byAge = await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at`;
    const first = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 2 });
    expect(first).toMatchObject({ exitCode: 1, mapped: 2, marker: byAge[1]!.uuid });
    expect((await mappingsOf(cell.id)).sort()).toEqual([byAge[0]!.uuid, byAge[1]!.uuid].sort());
    expect(await markers()).toEqual([{ instance_uuid: byAge[1]!.uuid.replace(/-/g, ' '), user_id: INSTANCE_MIGRATION_MARKER, cell_id: null }]);

    const second = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 2 });
    expect(second).toMatchObject({ exitCode: 1, mapped: 2, marker: byAge[3]!.uuid });
    const third = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 2 });
    expect(third).toMatchObject({ exitCode: 0, mapped: 1, scanned: 1, marker: null });
    expect(await markers()).toEqual([]);
    expect(await mappingsOf(cell.id)).toHaveLength(5);
  });

  it('walks every instance exactly once, one per run, when created_at ties or is NULL', async () => {
    const cell = (await dep.addCell({ name: `mi-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
    await cell.handle.sql`
      insert into instances (uuid, project_id, user_id, created_at)
      select md5('tie' || i)::uuid::text, 'p', 'u',
             case when i <= 3 then null when i <= 7 then timestamp '2026-01-01' else timestamp '2026-01-01' + i * interval '1 minute' end
      from generate_series(1, 10) as i`;
    // NULL created_at first, then oldest first; among equals, uuid descending (the index order).
    const expected = (
      await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at asc nulls first, uuid desc`
    ).map((r) => r.uuid);
    const walked: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 1 });
      if (r.exitCode === 0) {
        expect(r).toMatchObject({ scanned: 0, mapped: 0 });
        break;
      }
      expect(r).toMatchObject({ scanned: 1, mapped: 1 });
      walked.push(r.marker!);
    }
    expect(walked).toEqual(expected);
    expect((await mappingsOf(cell.id)).sort()).toEqual([...expected].sort());
    expect(await markers()).toEqual([]);
  });

  it('--reset ignores the marker and starts from the oldest instance', async () => {
    const { cell } = await cellWithInstances(4, 'c');
    await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 3 });
    expect(await markers()).toHaveLength(1);
    const r = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 3, reset: true });
    expect(r).toMatchObject({ exitCode: 1, scanned: 3, mapped: 0, alreadyMapped: 3 });
    await mapInstances(deps, { cellUuid: cell.uuid, reset: true });
    expect(await markers()).toEqual([]);
  });

  it('skips the VIF migration\'s fake instance, which would otherwise get a mapping', async () => {
    const { cell } = await cellWithInstances(2, 'd');
    await cell.handle.sql`insert into instances (uuid, project_id, user_id, deleted) values (${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, 1)`;
    const r = await mapInstances(deps, { cellUuid: cell.uuid });
    expect(r).toMatchObject({ exitCode: 0, scanned: 3, mapped: 2, skipped: 1 });
    expect(await mappingsOf(cell.id)).not.toContain(FAKE_INSTANCE_UUID);
  });

  it('maps more than one full batch in one run (set-based: one insert per batch)', async () => {
    const { cell } = await cellWithInstances(MAP_ALL_BATCH + 7, 'e');
    const r = await mapInstances(deps, { cellUuid: cell.uuid });
    expect(r).toMatchObject({ exitCode: 0, scanned: MAP_ALL_BATCH + 7, mapped: MAP_ALL_BATCH + 7 });
    expect(await mappingsOf(cell.id)).toHaveLength(MAP_ALL_BATCH + 7);
  });

  it('refuses a bad max-count with 127, an unknown cell with 255', async () => {
    for (const maxCount of [0, -1, 1.5]) {
      const e = await refusal(mapInstances(deps, { cellUuid: 'x', maxCount }));
      expect([e.exitCode, e.message]).toEqual([127, 'Must supply a positive value for max-count']);
    }
    const e = await refusal(mapInstances(deps, { cellUuid: 'nope' }));
    expect([e.exitCode, e.message]).toEqual([255, 'Cell with uuid nope was not found.']);
  });

  it('a marker that is not in this cell is refused (255) and kept; a cell that does not answer keeps it too', async () => {
    const a = await cellWithInstances(3, 'f');
    const b = await cellWithInstances(1, 'g');
    await mapInstances(deps, { cellUuid: a.cell.uuid, maxCount: 1 });
    const e = await refusal(mapInstances(deps, { cellUuid: b.cell.uuid, maxCount: 1 }));
    expect(e.exitCode).toBe(255);
    expect(e.message).toMatch(/^The map_instances marker \(instance [0-9a-f-]{36}\) is not in cell mi-\d+; run again with --reset to start over\.$/);
    expect(await markers()).toHaveLength(1);

    await dep.api.sql`update cell_mappings set database_connection = 'postgresql://nova:pw@127.0.0.1:1/x' where id = ${a.cell.id}`;
    const down = await refusal(mapInstances(deps, { cellUuid: a.cell.uuid, maxCount: 1 }));
    expect(down.exitCode).toBe(255);
    expect(down.message).toMatch(/does not answer \(refused: connection refused\)/);
    expect(await markers()).toHaveLength(1);
    await dep.api.sql`update cell_mappings set database_connection = ${a.cell.url} where id = ${a.cell.id}`;
    await mapInstances(deps, { cellUuid: a.cell.uuid, reset: true });
  });
});
