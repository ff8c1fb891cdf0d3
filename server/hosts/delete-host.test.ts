import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cellMappings } from '@/db/api/schema';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { RESTART_NOTICES } from '../cells/caveats';
import { deleteHost } from './delete-host';
import { addComputeHosts, closedPort, hostMappingsByHost, mappedFlags, testDeps } from './testing';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
});
afterAll(async () => {
  await dep?.close();
});

beforeEach(async () => {
  await dep.api.sql`delete from host_mappings`;
  for (const c of [cell1, cell2]) {
    await c.handle.sql`delete from compute_nodes`;
    await c.handle.sql`delete from services`;
    await c.handle.sql`delete from instances`;
  }
  await addComputeHosts(cell1, [
    { host: 'cmp-1', nodes: ['cmp-1-a', 'cmp-1-b'], mapped: 1 },
    { host: 'busy', mapped: 1 },
  ]);
  await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'cmp-1'), (${cell1.id}, 'busy')`;
});

describe('deleteHost', () => {
  it('resets mapped = 0 on every live node of the host, deletes the mapping, and says SIGHUP', async () => {
    const r = await deleteHost(testDeps(dep), { cellUuid: cell1.uuid, host: 'cmp-1' });
    expect(r).toEqual({ host: 'cmp-1', cell: { uuid: cell1.uuid, name: 'cell1' }, nodesReset: 2, restartNotice: RESTART_NOTICES.hostMappingDeleted });
    expect(await hostMappingsByHost(dep)).toEqual({ busy: cell1.uuid });
    expect(await mappedFlags(cell1, ['cmp-1', 'busy'])).toEqual({ 'cmp-1-a': 0, 'cmp-1-b': 0, busy: 1 });
    // compute_node_update always sets updated_at.
    const rows = await cell1.handle.sql<{ hypervisor_hostname: string; fresh: boolean | null }[]>`
      select hypervisor_hostname, updated_at between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc') as fresh
      from compute_nodes where host in ('cmp-1', 'busy') order by hypervisor_hostname`;
    expect(rows.map((r) => [r.hypervisor_hostname, r.fresh])).toEqual([
      ['busy', null],
      ['cmp-1-a', true],
      ['cmp-1-b', true],
    ]);
  });

  it('refuses an unknown cell: rc 1', async () => {
    const e = await refusal(deleteHost(testDeps(dep), { cellUuid: '9d0c0b7e-0000-4000-8000-000000000000', host: 'cmp-1' }));
    expect([e.message, e.exitCode]).toEqual(['Cell with uuid 9d0c0b7e-0000-4000-8000-000000000000 was not found.', 1]);
  });

  it('refuses a host with no mapping: rc 2', async () => {
    const e = await refusal(deleteHost(testDeps(dep), { cellUuid: cell1.uuid, host: 'nowhere' }));
    expect([e.message, e.exitCode]).toEqual(['The host nowhere was not found.', 2]);
  });

  it('refuses a host mapped to another cell: rc 3, and changes nothing', async () => {
    const e = await refusal(deleteHost(testDeps(dep), { cellUuid: cell2.uuid, host: 'cmp-1' }));
    expect([e.message, e.exitCode]).toEqual([`The host cmp-1 was not found in the cell ${cell2.uuid}.`, 3]);
    expect(await hostMappingsByHost(dep)).toEqual({ 'cmp-1': cell1.uuid, busy: cell1.uuid });
  });

  it('refuses while the host has instances (soft-deleted ones too): rc 4, nodes and mapping untouched', async () => {
    await cell1.handle.db.insert(instances).values([
      { uuid: '11111111-1111-4111-8111-000000000001', projectId: 'p', host: 'busy', vmState: 'soft-delete' },
      { uuid: '11111111-1111-4111-8111-000000000002', projectId: 'p', host: 'cmp-1', vmState: 'deleted', deleted: 7 },
    ]);
    const e = await refusal(deleteHost(testDeps(dep), { cellUuid: cell1.uuid, host: 'busy' }));
    expect([e.message, e.exitCode, e.kind]).toEqual(['There are instances on the host busy.', 4, 'conflict']);
    expect(await hostMappingsByHost(dep)).toEqual({ 'cmp-1': cell1.uuid, busy: cell1.uuid });
    expect(await mappedFlags(cell1, ['busy'])).toEqual({ busy: 1 });
    // A deleted instance (deleted = id) does not keep its host.
    await deleteHost(testDeps(dep), { cellUuid: cell1.uuid, host: 'cmp-1' });
    expect(await hostMappingsByHost(dep)).toEqual({ busy: cell1.uuid });
  });

  it('refuses plainly when the cell does not answer, and deletes nothing', async () => {
    await dep.api.db
      .update(cellMappings)
      .set({ databaseConnection: `postgresql://nova:s3cret@127.0.0.1:${await closedPort()}/nova_cell1` })
      .where(eq(cellMappings.uuid, cell1.uuid));
    try {
      const e = await refusal(deleteHost(testDeps(dep), { cellUuid: cell1.uuid, host: 'cmp-1' }));
      expect(e.kind).toBe('unavailable');
      expect(e.exitCode).toBe(1);
      expect(e.message).toBe(
        'Cell cell1 does not answer (refused: connection refused); its instances on cmp-1 cannot be checked, so the host mapping was not deleted.',
      );
      expect(await hostMappingsByHost(dep)).toEqual({ 'cmp-1': cell1.uuid, busy: cell1.uuid });
    } finally {
      await dep.api.db.update(cellMappings).set({ databaseConnection: cell1.url }).where(eq(cellMappings.uuid, cell1.uuid));
    }
  });
});
