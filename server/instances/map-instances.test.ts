import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
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

  it("with --max-count walks by created_at, saving nova's marker (uuid with spaces) until the end", async () => {
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

  it("walks every instance exactly once, one per run, in nova's order: created_at, then id; NULL created_at last", async () => {
    const cell = (await dep.addCell({ name: `mi-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
    // Inserted so that id order and uuid order disagree within the tie.
    await cell.handle.sql`
      insert into instances (uuid, project_id, user_id, created_at)
      select md5('tie' || i)::uuid::text, 'p', 'u',
             case when i <= 3 then null when i <= 7 then timestamp '2026-01-01' else timestamp '2026-01-01' + i * interval '1 minute' end
      from generate_series(1, 10) as i`;
    // nova: ORDER BY created_at ASC, id ASC (process_sort_params appends id); PostgreSQL puts NULLs last.
    const expected = (await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at asc nulls last, id asc`).map((r) => r.uuid);
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

  it('a --max-count run that stops in the middle of a created_at tie resumes there: each instance mapped exactly once', async () => {
    const cell = (await dep.addCell({ name: `mi-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
    // Nine instances created in the same microsecond (nova's multi-create), between two others.
    await cell.handle.sql`
      insert into instances (uuid, project_id, user_id, created_at)
      select md5('same' || i)::uuid::text, 'p', 'u',
             case when i = 1 then timestamp '2026-01-01 00:00:00' when i = 11 then timestamp '2026-01-01 00:00:02'
                  else timestamp '2026-01-01 00:00:01.123456' end
      from generate_series(1, 11) as i`;
    const byNova = (await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at, id`).map((r) => r.uuid);
    // Every mapping insert is logged, so "exactly once" is what the api database saw.
    await dep.api.sql.unsafe(`
      create table if not exists mi_log (id serial, instance_uuid text);
      create or replace function mi_log() returns trigger language plpgsql as $$
      begin insert into mi_log (instance_uuid) values (new.instance_uuid); return new; end $$;
      drop trigger if exists mi_log on instance_mappings;
      create trigger mi_log after insert on instance_mappings for each row execute function mi_log();`);
    try {
      const first = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 4 });
      // The first instance and three of the tie: the marker is the third of the tie by id.
      expect(first).toMatchObject({ exitCode: 1, scanned: 4, mapped: 4, marker: byNova[3] });
      const second = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 4 });
      expect(second).toMatchObject({ exitCode: 1, scanned: 4, mapped: 4, alreadyMapped: 0, marker: byNova[7] });
      const rest = await mapInstances(deps, { cellUuid: cell.uuid });
      expect(rest).toMatchObject({ exitCode: 0, scanned: 3, mapped: 3, alreadyMapped: 0, marker: null });
      const log = await dep.api.sql<{ instance_uuid: string }[]>`
        select instance_uuid from mi_log where instance_uuid = any(${byNova}::text[]) order by id`;
      // Each once (a batch inserts in uuid order, so compare as sets of equal size).
      expect(log).toHaveLength(byNova.length);
      expect(log.map((r) => r.instance_uuid).sort()).toEqual([...byNova].sort());
    } finally {
      await dep.api.sql.unsafe('drop trigger if exists mi_log on instance_mappings; drop function if exists mi_log(); drop table if exists mi_log;');
    }
  });

  it('goes on from a marker nova-manage left (the uuid with spaces), inside a tie, as nova would', async () => {
    const cell = (await dep.addCell({ name: `mi-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
    await cell.handle.sql`
      insert into instances (uuid, project_id, user_id, created_at)
      select md5('nova' || i)::uuid::text, 'p', 'u', timestamp '2026-02-02 02:02:02' from generate_series(1, 6) as i`;
    const byNova = (await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at, id`).map((r) => r.uuid);
    // What `nova-manage cell_v2 map_instances --max-count 2` leaves: two mappings and its marker.
    await dep.api.sql`
      insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
      values (${byNova[0]!}, ${cell.id}, 'p', 'u', false, now()), (${byNova[1]!}, ${cell.id}, 'p', 'u', false, now()),
             (${byNova[1]!.replace(/-/g, ' ')}, null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER}, false, now())`;
    const r = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 3 });
    expect(r).toMatchObject({ exitCode: 1, scanned: 3, mapped: 3, alreadyMapped: 0, marker: byNova[4] });
    const done = await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 3 });
    expect(done).toMatchObject({ exitCode: 0, scanned: 1, mapped: 1, alreadyMapped: 0 });
    expect((await mappingsOf(cell.id)).sort()).toEqual([...byNova].sort());
  });

  it("leaves hidden instances (the inactive copy of a cross-cell resize) alone, as nova's default filter does", async () => {
    const { cell, uuids } = await cellWithInstances(3, 'h');
    await cell.handle.sql`update instances set hidden = true where uuid = ${uuids[1]!}`;
    await cell.handle.sql`update instances set hidden = null where uuid = ${uuids[2]!}`;
    const r = await mapInstances(deps, { cellUuid: cell.uuid });
    expect(r).toMatchObject({ exitCode: 0, scanned: 2, mapped: 2 });
    expect((await mappingsOf(cell.id)).sort()).toEqual([uuids[0]!, uuids[2]!].sort());
  });

  it("writes every column nova's InstanceMapping.create() sets, the marker row too", async () => {
    const { cell, uuids } = await cellWithInstances(3, 'i');
    await mapInstances(deps, { cellUuid: cell.uuid, maxCount: 2 });
    const rows = await dep.api.sql<
      { instance_uuid: string; cell_id: number | null; queued_for_delete: boolean | null; fresh: boolean; updated_at: Date | null }[]
    >`
      select instance_uuid, cell_id, queued_for_delete, updated_at,
             created_at between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc') as fresh
      from instance_mappings where cell_id = ${cell.id} or project_id = ${INSTANCE_MIGRATION_MARKER}`;
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatchObject({ queued_for_delete: false, fresh: true, updated_at: null });
    expect(rows.filter((x) => x.cell_id === null).map((x) => x.instance_uuid)).toEqual([uuids[1]!.replace(/-/g, ' ')]);
    await mapInstances(deps, { cellUuid: cell.uuid });
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

  it("skips the VIF migration's fake instance, which would otherwise get a mapping", async () => {
    const { cell } = await cellWithInstances(2, 'd');
    await cell.handle
      .sql`insert into instances (uuid, project_id, user_id, deleted) values (${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, 1)`;
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
