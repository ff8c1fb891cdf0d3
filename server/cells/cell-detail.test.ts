import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodes, instances, services } from '@/db/cell/schema';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { isCellarError } from '../errors';
import { CELL0_UUID } from '../nova/constants';
import { readCellDetail } from './cell-detail';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

let dep: TestDeployment;
let deps: Deps;
let cell1: TestCell;
let cell2: TestCell;

const node = (host: string, extra: Partial<typeof computeNodes.$inferInsert> = {}) => ({
  host,
  hypervisorHostname: `${host}.example.net`,
  vcpus: 16,
  memoryMb: 65536,
  localGb: 500,
  vcpusUsed: 4,
  memoryMbUsed: 8192,
  localGbUsed: 100,
  hypervisorType: 'QEMU',
  hypervisorVersion: 8002000,
  cpuInfo: '{}',
  cpuAllocationRatio: 4,
  ramAllocationRatio: 1.5,
  diskAllocationRatio: 1,
  ...extra,
});
const compute = (host: string, extra: Partial<typeof services.$inferInsert> = {}) => ({
  host,
  binary: 'nova-compute',
  topic: 'compute',
  lastSeenUp: ago(10),
  createdAt: ago(86400),
  version: 73,
  ...extra,
});

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => NOW };
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
  await cell1.handle.db.insert(computeNodes).values([
    node('cmp-a', { mapped: 1 }),
    // mapped says yes, but nobody made a host mapping
    node('cmp-b', { mapped: 1 }),
    // mapped says no, but the host is mapped (a sibling node, or map_cell_and_hosts)
    node('cmp-c', { mapped: 0, cpuAllocationRatio: null }),
    // mapped to the other cell
    node('cmp-d', { mapped: null }),
    node('cmp-gone', { deleted: 999 }),
  ]);
  await cell1.handle.db
    .insert(services)
    .values([
      compute('cmp-a'),
      compute('cmp-b', { lastSeenUp: ago(7200) }),
      compute('cmp-c', { disabled: true, disabledReason: 'hardware maintenance', forcedDown: true }),
      compute('cmp-a', { binary: 'nova-conductor', topic: 'conductor' }),
    ]);
  await cell1.handle.db.insert(instances).values([
    { uuid: crypto.randomUUID(), projectId: 'p', vmState: 'active', host: 'cmp-a' },
    { uuid: crypto.randomUUID(), projectId: 'p', vmState: 'soft-delete', host: 'cmp-a' },
    { uuid: crypto.randomUUID(), projectId: 'p', vmState: 'deleted', deleted: 5 },
  ]);
  await dep.api.sql`insert into host_mappings (cell_id, host) values
    (${cell1.id}, 'cmp-a'), (${cell1.id}, 'cmp-c'), (${cell1.id}, 'ghost'), (${cell2.id}, 'cmp-d')`;
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id) values
    (${crypto.randomUUID()}, ${cell1.id}, 'p'), (${crypto.randomUUID()}, ${cell1.id}, 'p')`;
});
afterAll(() => dep?.close());

describe('readCellDetail', () => {
  it('shows the mapping with masked URLs, its host mappings, and what a delete would meet', async () => {
    const d = await readCellDetail(deps, cell1.uuid);
    expect(d.status).toBe('up');
    expect(d.cell).toMatchObject({ uuid: cell1.uuid, name: 'cell1', isCell0: false, disabled: false, transportUrl: 'rabbit://guest:****@127.0.0.1:5672/' });
    expect(d.schema?.state).toBe('current');
    expect(d.hostMappings.map((h) => [h.host, h.inCellDatabase])).toEqual([
      ['cmp-a', true],
      ['cmp-c', true],
      ['ghost', false],
    ]);
    expect(d.instanceMappings).toBe(2);
    // deleted = 0, whatever the vm_state: soft-deleted counts, as it does for nova's delete_cell
    expect(d.liveInstances).toBe(2);
  });

  it('lists live compute nodes with their nova-compute service state computed as nova does', async () => {
    const d = await readCellDetail(deps, cell1.uuid);
    const byHost = Object.fromEntries(d.computeNodes!.map((n) => [n.host, n]));
    expect(Object.keys(byHost)).toEqual(['cmp-a', 'cmp-b', 'cmp-c', 'cmp-d']);
    expect(byHost['cmp-a']!.service).toMatchObject({ state: 'up', disabled: false, forcedDown: false, version: 73 });
    expect(byHost['cmp-a']!.service!.lastSeenUp).toEqual(ago(10));
    expect(byHost['cmp-b']!.service!.state).toBe('down');
    expect(byHost['cmp-c']!.service).toMatchObject({ state: 'down', disabled: true, disabledReason: 'hardware maintenance', forcedDown: true });
    expect(byHost['cmp-d']!.service).toBeNull();
    expect(byHost['cmp-a']).toMatchObject({ hypervisorHostname: 'cmp-a.example.net', hypervisorType: 'QEMU' });
  });

  it('shows compute_nodes.mapped as a hint beside whether a host mapping really exists, and where', async () => {
    const d = await readCellDetail(deps, cell1.uuid);
    const m = Object.fromEntries(d.computeNodes!.map((n) => [n.host, [n.mappedFlag, n.hostMapping]]));
    expect(m['cmp-a']).toEqual([1, { cellUuid: cell1.uuid, cellName: 'cell1', thisCell: true }]);
    expect(m['cmp-b']).toEqual([1, null]);
    expect(m['cmp-c']).toEqual([0, { cellUuid: cell1.uuid, cellName: 'cell1', thisCell: true }]);
    expect(m['cmp-d']).toEqual([0, { cellUuid: cell2.uuid, cellName: 'cell2', thisCell: false }]);
  });

  it("sums capacity with each node's allocation ratios: free = total × ratio − used", async () => {
    const d = await readCellDetail(deps, cell1.uuid);
    const c = d.computeNodes!.find((n) => n.host === 'cmp-c')!.capacity;
    expect(c.vcpus).toMatchObject({ total: 16, ratio: 4, ratioDefaulted: true, capacity: 64, used: 4, free: 60 });
    expect(c.memoryMb).toMatchObject({ capacity: 98304, free: 90112 });
    expect(d.capacity).toEqual({
      nodes: 4,
      vcpus: { total: 64, capacity: 256, used: 16, free: 240 },
      memoryMb: { total: 262144, capacity: 393216, used: 32768, free: 360448 },
      diskGb: { total: 2000, capacity: 2000, used: 400, free: 1600 },
    });
  });

  it('a cell that does not answer: its status and reason, and what the api database knows', async () => {
    await dep.api.sql`update cell_mappings set database_connection = 'postgresql://nova:hunter2@127.0.0.1:1/nova' where id = ${cell1.id}`;
    try {
      const d = await readCellDetail(deps, cell1.uuid);
      expect(d).toMatchObject({
        status: 'down',
        down: { uuid: cell1.uuid, name: cell1.name, reason: 'refused' },
        computeNodes: null,
        capacity: null,
        liveInstances: null,
        instanceMappings: 2,
      });
      expect(d.hostMappings.map((h) => [h.host, h.inCellDatabase])).toEqual([
        ['cmp-a', null],
        ['cmp-c', null],
        ['ghost', null],
      ]);
      expect(d.cell.databaseConnection).toBe('postgresql://nova:****@127.0.0.1:1/nova');
      expect(JSON.stringify(d)).not.toContain('hunter2');
    } finally {
      await dep.api.sql`update cell_mappings set database_connection = ${cell1.url} where id = ${cell1.id}`;
    }
  });

  it('cell0 answers with no compute nodes', async () => {
    const d = await readCellDetail(deps, CELL0_UUID);
    expect(d).toMatchObject({ status: 'up', computeNodes: [], hostMappings: [], cell: { isCell0: true, transportUrl: 'none:///' } });
  });

  it('a cell whose database has no schema yet shows that, and no nodes', async () => {
    const empty = await dep.createCellDatabase({ migrated: false });
    const c = await dep.addCell({ name: 'empty', url: empty.url });
    const d = await readCellDetail(deps, c.uuid);
    expect(d).toMatchObject({ status: 'up', computeNodes: null, capacity: null, schema: { state: 'uninitialised' } });
  });

  it('an unknown uuid is a plain not-found refusal', async () => {
    try {
      await readCellDetail(deps, 'f00f0000-0000-4000-8000-000000000000');
      expect.unreachable();
    } catch (e) {
      expect(isCellarError(e) && e.kind).toBe('not_found');
      expect((e as Error).message).toBe('Cell with uuid f00f0000-0000-4000-8000-000000000000 was not found.');
    }
  });
});
