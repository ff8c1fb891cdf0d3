import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, instanceMappings } from '@/db/api/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { DemoSummary } from '../demo/seed';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { listBuildRequests, readBuildRequestInstance } from './build-requests';
import { depsFor, seedDemoInto } from './testing';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
let dep: TestDeployment;
let deps: Deps;
let demo: DemoSummary;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = depsFor(dep, { now: () => NOW });
  demo = await seedDemoInto(dep, NOW);
});

afterAll(() => dep?.close());

const byUuid = async (stuckAfterMinutes?: number) => {
  const list = await listBuildRequests(deps, { stuckAfterMinutes });
  return { list, row: (u: string) => list.buildRequests.find((b) => b.instanceUuid === u)! };
};

describe('listBuildRequests on the demo', () => {
  it('lists the pending build requests; with the default 10 minutes the 2 h and 26 h ones (and the old corrupt ones) are stuck, the fresh ones are not', async () => {
    const { list, row } = await byUuid();
    expect(list.stuckAfterMinutes).toBe(10);
    const all = [...demo.buildRequests.fresh, ...demo.buildRequests.stuck, ...demo.buildRequests.unparseable, ...demo.buildRequests.nullInstance];
    expect(list.buildRequests.map((b) => b.instanceUuid).sort()).toEqual(all.sort());
    for (const u of demo.buildRequests.fresh) expect(row(u).stuck).toBe(false);
    for (const u of demo.buildRequests.stuck) expect(row(u).stuck).toBe(true);
    // 47 minutes and 5 h 20 min old.
    expect(row(demo.buildRequests.unparseable[0]!).stuck).toBe(true);
    expect(row(demo.buildRequests.nullInstance[0]!).stuck).toBe(true);
    // Oldest first: what has waited longest is read first.
    const ages = list.buildRequests.map((b) => b.ageSeconds!);
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
  });

  it('the threshold decides: at 3 hours only the 26 h one and the 5 h 20 min corrupt one are stuck', async () => {
    const { list } = await byUuid(180);
    const stuck = list.buildRequests.filter((b) => b.stuck);
    expect(stuck.map((b) => b.ageSeconds)).toEqual([26 * 3600 + 11 * 60, 5 * 3600 + 20 * 60]);
    expect(stuck.map((b) => b.instanceUuid)).toEqual([expect.toBeOneOf(demo.buildRequests.stuck), demo.buildRequests.nullInstance[0]]);
  });

  it('shows the NULL and the unparseable rows as corrupt, with their age and nothing invented', async () => {
    const { row } = await byUuid();
    const nul = row(demo.buildRequests.nullInstance[0]!);
    expect(nul.corrupt).toEqual({ kind: 'null', reason: 'the instance column is NULL' });
    expect(nul).toMatchObject({ name: null, flavor: null, userId: null, imageRef: null });
    expect(nul.ageSeconds).toBe(5 * 3600 + 20 * 60);
    const bad = row(demo.buildRequests.unparseable[0]!);
    expect(bad.corrupt?.kind).toBe('not-json');
    expect(bad.ageSeconds).toBe(47 * 60);
    expect(bad.projectId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads name, user, flavor, image and availability zone from the instance JSON, and age from created_at', async () => {
    const { row } = await byUuid();
    const rows = await dep.api.sql<{ instance_uuid: string; instance: string; age: number }[]>`
      select instance_uuid, instance, extract(epoch from (${NOW.toISOString()}::timestamp - created_at))::int as age
      from build_requests where instance_uuid = any(${[...demo.buildRequests.fresh, ...demo.buildRequests.stuck]})`;
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      const data = JSON.parse(r.instance)['nova_object.data'];
      const b = row(r.instance_uuid);
      expect(b).toMatchObject({
        corrupt: null,
        name: data.display_name,
        userId: data.user_id,
        imageRef: data.image_ref,
        availabilityZone: data.availability_zone,
        projectId: data.project_id,
        ageSeconds: r.age,
        mappedCell: null,
      });
      expect(b.flavor).toEqual(readFlavorFromPrimitive(data.flavor));
    }
    const stuck26 = demo.buildRequests.stuck.map(row).find((b) => b.ageSeconds! > 86_400)!;
    expect(stuck26.flavor!.name).toBe('g1.a100.xlarge');
    expect(stuck26.ageSeconds).toBe(26 * 3600 + 11 * 60);
  });

  it('lists the orphaned mapping (no cell, no build request) and never the map_instances marker or the fake instance', async () => {
    const { list } = await byUuid();
    expect(list.orphans).toEqual([expect.objectContaining({ instanceUuid: demo.orphanMappingUuid, queuedForDelete: true })]);
    expect(list.orphans[0]!.createdAt!.getTime()).toBeLessThan(NOW.getTime() - 5 * 86_400_000);
    const everything = JSON.stringify(list);
    expect(everything).not.toContain(INSTANCE_MIGRATION_MARKER);
    expect(everything).not.toContain(demo.markerInstanceUuid);
    expect(everything).not.toContain(FAKE_INSTANCE_UUID);
  });
});

describe('listBuildRequests on rows nova did not write cleanly', () => {
  it('says why each unreadable row is corrupt, takes age from the row and not from the JSON, and hides a fake mapping without a cell', async () => {
    const mk = (instance: string | null, ageS: number, extra: Partial<typeof buildRequests.$inferInsert> = {}) => {
      const uuid = crypto.randomUUID();
      return { uuid, row: { instanceUuid: uuid, projectId: 'p-odd', instance, createdAt: new Date(NOW.getTime() - ageS * 1000), ...extra } };
    };
    const goodJson = (uuid: string) =>
      JSON.stringify({
        'nova_object.name': 'Instance',
        'nova_object.version': '2.8',
        'nova_object.data': {
          uuid,
          display_name: 'odd',
          created_at: '2001-01-01T00:00:00Z',
          flavor: { 'nova_object.name': 'Flavor', 'nova_object.data': { name: 'm1.odd', vcpus: 1, memory_mb: 64 } },
        },
      });
    const spec = mk(JSON.stringify({ 'nova_object.name': 'RequestSpec', 'nova_object.data': {} }), 60);
    const future = mk(JSON.stringify({ 'nova_object.name': 'Instance', 'nova_object.version': '3.0', 'nova_object.data': {} }), 60);
    const array = mk('[]', 60);
    const young = mk(null, 30);
    young.row.instance = goodJson(young.uuid);
    const scheduled = mk(null, 45);
    scheduled.row.instance = goodJson(scheduled.uuid);
    await dep.api.db.insert(buildRequests).values([spec.row, future.row, array.row, young.row, scheduled.row]);
    await dep.api.db.insert(instanceMappings).values({ instanceUuid: scheduled.uuid, cellId: dep.cells[0]!.id, projectId: 'p-odd' });
    // The demo maps the VIF migration's fake instance to cell1; without a cell it is still not an orphan.
    const [fake] = await dep.api.sql<{ cell_id: number }[]>`select cell_id from instance_mappings where instance_uuid = ${FAKE_INSTANCE_UUID}`;
    await dep.api.sql`update instance_mappings set cell_id = null where instance_uuid = ${FAKE_INSTANCE_UUID}`;
    try {
      const { row, list } = await byUuid();
      expect(row(spec.uuid).corrupt).toEqual({ kind: 'not-an-instance', reason: 'the instance column is not an Instance primitive (RequestSpec)' });
      expect(row(future.uuid).corrupt).toEqual({ kind: 'unknown-version', reason: 'unknown Instance version "3.0"' });
      expect(row(array.uuid).corrupt?.kind).toBe('not-an-instance');
      expect(row(young.uuid)).toMatchObject({ corrupt: null, name: 'odd', ageSeconds: 30, stuck: false });
      expect(row(young.uuid).flavor?.name).toBe('m1.odd');
      // Conductor mid-way: the mapping already names the cell the instance went to.
      expect(row(scheduled.uuid).mappedCell).toEqual({ uuid: dep.cells[0]!.uuid, name: 'cell1' });
      expect(list.orphans.map((o) => o.instanceUuid)).not.toContain(FAKE_INSTANCE_UUID);
    } finally {
      await dep.api.sql`delete from build_requests where project_id = 'p-odd'`;
      await dep.api.sql`delete from instance_mappings where project_id = 'p-odd'`;
      await dep.api.sql`update instance_mappings set cell_id = ${fake!.cell_id} where instance_uuid = ${FAKE_INSTANCE_UUID}`;
    }
  });
});

describe('readBuildRequestInstance', () => {
  it('never throws, whatever the column holds', () => {
    for (const junk of [null, '', 'null', '42', '"x"', '{', '{"nova_object.name": "Instance"}', '{"nova_object.name": "Instance", "nova_object.data": []}']) {
      const r = readBuildRequestInstance(junk);
      expect(r.data).toBeNull();
      expect(r.corrupt).not.toBeNull();
    }
  });
});
