import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { buildRequestInstancePrimitive, flavorPrimitive } from '../nova/primitives';
import { lookupInstance, verifyInstanceLines } from './lookup-instance';
import { seedInstances } from './testing';

let dep: TestDeployment;
let deps: Deps;
let cell1: TestCell;
let cell2: TestCell;
const NOW = new Date('2026-03-01T12:00:00Z');

const LIVE = '1a000000-0000-4000-8000-000000000001';
const SOFT = '1a000000-0000-4000-8000-000000000002';
const DELETED = '1a000000-0000-4000-8000-000000000003';
const ARCHIVED = '1a000000-0000-4000-8000-000000000004';
const UNMAPPED = '1a000000-0000-4000-8000-000000000005';
const IN_CELL2 = '2a000000-0000-4000-8000-000000000001';
const BUILDING = 'b0000000-0000-4000-8000-000000000001';
const CORRUPT = 'b0000000-0000-4000-8000-000000000002';
const ORPHAN = 'c0000000-0000-4000-8000-000000000001';
const NOBODY = 'dead0000-0000-4000-8000-000000000000';

const flavor = flavorPrimitive({
  id: 3,
  name: 'm1.medium',
  memoryMb: 4096,
  vcpus: 2,
  rootGb: 40,
  ephemeralGb: 0,
  flavorid: '3',
  swap: 0,
  rxtxFactor: 1,
  vcpuWeight: null,
  disabled: false,
  isPublic: true,
  description: null,
});

async function pendingBuild(uuid: string, opts: { corrupt?: boolean; createdAt?: string } = {}) {
  const instance = JSON.stringify(
    buildRequestInstancePrimitive({ uuid, displayName: 'web-prod-3', projectId: 'project-a', userId: 'user-a', imageRef: 'img', flavor }),
  );
  const created = opts.createdAt ?? '2026-03-01 11:57:00';
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
    values (${uuid}, null, 'project-a', 'user-a', false, ${created})`;
  await dep.api.sql`insert into build_requests (instance_uuid, project_id, instance, created_at)
    values (${uuid}, 'project-a', ${opts.corrupt ? '{"nova_object.name": "Instance", "nova_object.da' : instance}, ${created})`;
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => NOW };
  await seedInstances(dep.api, cell1, [
    { uuid: LIVE, createdAt: '2026-02-01 10:00:00', displayName: 'web-prod-1', flavor: 'm1.legacy', host: 'cmp-7' },
    { uuid: SOFT, createdAt: '2026-02-01 10:00:00', vmState: 'soft-delete' },
    { uuid: DELETED, createdAt: '2026-02-01 10:00:00', vmState: 'deleted', deleted: true, queuedForDelete: true },
    { uuid: UNMAPPED, createdAt: '2026-02-01 10:00:00', unmapped: true },
  ]);
  await seedInstances(dep.api, cell2, [{ uuid: IN_CELL2, createdAt: '2026-02-01 10:00:00' }]);
  // mapped to cell1, but the row is gone (archived in the cell, mapping left behind)
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id) values (${ARCHIVED}, ${cell1.id}, 'project-a')`;
  await pendingBuild(BUILDING);
  await pendingBuild(CORRUPT, { corrupt: true });
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values
    (${ORPHAN}, null, 'project-a', 'user-a', true),
    (${NOBODY.replace(/-/g, ' ')}, null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER}, false),
    (${FAKE_INSTANCE_UUID}, ${cell1.id}, ${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, false)`;
});

afterAll(async () => {
  await dep?.close();
});

describe('lookupInstance: verify_instance outcomes', () => {
  it('0: in its cell, with what the cell says of it', async () => {
    const r = await lookupInstance(deps, LIVE);
    expect(r).toMatchObject({ kind: 'in_cell', exitCode: 0, cell: { uuid: cell1.uuid, name: 'cell1' }, summary: 'In cell cell1.' });
    if (r.kind !== 'in_cell') throw new Error();
    expect(r.instance).toMatchObject({ name: 'web-prod-1', status: 'ACTIVE', host: 'cmp-7', flavor: 'm1.legacy', projectId: 'project-a' });
    expect(verifyInstanceLines(r)).toEqual([`Instance ${LIVE} is in cell: cell1 (${cell1.uuid})`]);
  });

  it('0: a soft-deleted instance is still in its cell, and says so', async () => {
    const r = await lookupInstance(deps, SOFT.toUpperCase());
    expect(r).toMatchObject({ kind: 'in_cell', exitCode: 0, uuid: SOFT, instance: { status: 'SOFT_DELETED' } });
    expect(r.summary).toContain('Soft-deleted in cell cell1');
  });

  it('1: no mapping (never mapped, or never existed)', async () => {
    for (const uuid of [NOBODY, UNMAPPED]) {
      const r = await lookupInstance(deps, uuid);
      expect(r).toMatchObject({ kind: 'not_mapped', exitCode: 1 });
      expect(r.summary).toContain('upgrade is incomplete');
      expect(verifyInstanceLines(r)).toEqual([`Instance ${uuid} is not mapped to a cell (upgrade is incomplete) or instance does not exist`]);
    }
  });

  it('2: being scheduled, with its build request (name, flavor, age)', async () => {
    const r = await lookupInstance(deps, BUILDING);
    expect(r).toMatchObject({ kind: 'scheduling', exitCode: 2, buildRequest: { name: 'web-prod-3', flavor: 'm1.medium', corrupt: false } });
    expect(r.summary).toBe('Being scheduled: the mapping has no cell yet; its build request web-prod-3 (m1.medium) was created 3 min ago.');
    expect(verifyInstanceLines(r)).toEqual([`Instance ${BUILDING} is not mapped to a cell`]);
    const corrupt = await lookupInstance(deps, CORRUPT);
    expect(corrupt).toMatchObject({ kind: 'scheduling', exitCode: 2, buildRequest: { corrupt: true, name: null, flavor: null } });
    expect(corrupt.summary).toContain('cannot be read');
  });

  it('2: an orphaned mapping (no cell, no build request)', async () => {
    const r = await lookupInstance(deps, ORPHAN);
    expect(r).toMatchObject({ kind: 'orphaned', exitCode: 2, mapping: { queuedForDelete: true } });
    expect(r.summary).toContain('Orphaned mapping: no cell, no build request, queued for delete');
  });

  it('3: deleted in its cell but still mapped, with the archive hint', async () => {
    const r = await lookupInstance(deps, DELETED);
    expect(r).toMatchObject({ kind: 'deleted', exitCode: 3, cell: { name: 'cell1' } });
    expect(r.summary).toContain('archive_deleted_rows');
    expect(verifyInstanceLines(r)).toEqual([
      `The instance with uuid ${DELETED} has been deleted.`,
      'Execute `nova-manage db archive_deleted_rows` command to archive this deleted instance and remove its instance_mapping.',
    ]);
  });

  it('4: archived but still mapped (the cell has no row at all)', async () => {
    const r = await lookupInstance(deps, ARCHIVED);
    expect(r).toMatchObject({ kind: 'archived', exitCode: 4, cell: { name: 'cell1' } });
    expect(r.summary).toBe('Archived but still mapped: the mapping says cell cell1, whose database has no row for it at all.');
    expect(verifyInstanceLines(r)).toEqual([`The instance with uuid ${ARCHIVED} has been archived.`, 'However its instance_mapping remains.']);
  });

  it('the VIF migration fake instance is not an instance; a marker row is never found as one', async () => {
    const r = await lookupInstance(deps, FAKE_INSTANCE_UUID);
    expect(r).toMatchObject({ kind: 'not_an_instance', exitCode: 1 });
    expect((await lookupInstance(deps, NOBODY)).kind).toBe('not_mapped');
    await expect(lookupInstance(deps, NOBODY.replace(/-/g, ' '))).rejects.toThrow(/must be an instance uuid/);
  });

  it('says the cell did not answer, naming the cell the mapping points at, without its password', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await dep.api.sql`update cell_mappings set database_connection = ${`postgresql://nova:pw-9931@127.0.0.1:${port}/nova`} where id = ${cell2.id}`;
    try {
      const r = await lookupInstance(deps, IN_CELL2);
      expect(r).toMatchObject({ kind: 'cell_down', exitCode: 255, reason: 'refused', cell: { name: 'cell2' } });
      expect(r.summary).toBe('The mapping says cell cell2, but the cell did not answer within 1500 ms (refused: connection refused).');
      expect(JSON.stringify(r)).not.toContain('pw-9931');
    } finally {
      await dep.api.sql`update cell_mappings set database_connection = ${cell2.url} where id = ${cell2.id}`;
    }
  });

  it('refuses something that is not a uuid with a plain message', async () => {
    await expect(lookupInstance(deps, 'web-prod-1')).rejects.toMatchObject({
      kind: 'invalid',
      message: '"web-prod-1" must be an instance uuid (8-4-4-4-12 hexadecimal digits).',
    });
  });

  it('never reports an orphan or "not mapped" while the conductor places the instance (§5.2 write order)', async () => {
    for (let n = 0; n < 15; n++) {
      const uuid = `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      await pendingBuild(uuid);
      // The conductor: instance row in the cell, then the mapping's cell, then the build request goes.
      const conductor = (async () => {
        await seedInstances(dep.api, cell1, [{ uuid, createdAt: '2026-03-01 11:58:00', unmapped: true }]);
        await dep.api.sql`update instance_mappings set cell_id = ${cell1.id} where instance_uuid = ${uuid}`;
        await dep.api.sql`delete from build_requests where instance_uuid = ${uuid}`;
      })();
      const looks = await Promise.all(Array.from({ length: 6 }, () => lookupInstance(deps, uuid)));
      await conductor;
      for (const r of looks) expect(['scheduling', 'in_cell']).toContain(r.kind);
      expect((await lookupInstance(deps, uuid)).kind).toBe('in_cell');
    }
  });
});
