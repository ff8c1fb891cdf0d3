import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings, hostMappings } from '@/db/api/schema';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { closedPort as refusedPort, silentServer } from '@/db/testing/network';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { checkHealth } from './health';
import { listCells } from './list-cells';

const DEADLINE = 1000;
let dep: TestDeployment;
let deps: Deps;
let closedPort: number;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: DEADLINE, serviceDownTimeS: 60, now: () => new Date() };
  closedPort = await refusedPort();
  const [cell1, cell2] = dep.cells;
  await dep.api.db.insert(hostMappings).values([
    { cellId: cell1!.id, host: 'cmp-1' },
    { cellId: cell1!.id, host: 'cmp-2' },
    { cellId: cell2!.id, host: 'cmp-3' },
  ]);
  const inst = (uuid: string, extra: Partial<typeof instances.$inferInsert> = {}) => ({
    uuid,
    projectId: 'p1',
    userId: 'u1',
    vmState: 'active',
    host: 'cmp-1',
    ...extra,
  });
  await cell1!.handle.db
    .insert(instances)
    .values([
      inst('11111111-0000-0000-0000-000000000001'),
      inst('11111111-0000-0000-0000-000000000002'),
      inst('11111111-0000-0000-0000-000000000003', { vmState: 'soft-delete' }),
      inst('11111111-0000-0000-0000-000000000004', { hidden: true }),
      inst('11111111-0000-0000-0000-000000000005', { deleted: 99, vmState: 'deleted' }),
      inst(FAKE_INSTANCE_UUID, { projectId: FAKE_INSTANCE_UUID, deleted: 0 }),
    ]);
  await cell2!.handle.db.insert(instances).values([inst('22222222-0000-0000-0000-000000000001', { host: 'cmp-3' })]);
});

afterAll(async () => {
  await dep?.close();
});

describe('listCells', () => {
  it('lists every cell with masked URLs, host mappings and live instances', async () => {
    const list = await listCells(deps);
    expect(list.total).toBe(3);
    expect(list.answered).toBe(3);
    const byName = Object.fromEntries(list.cells.map((c) => [c.name, c]));
    expect(byName.cell0!.isCell0).toBe(true);
    expect(byName.cell1!.hostMappings).toBe(2);
    expect(byName.cell2!.hostMappings).toBe(1);
    // soft-delete, hidden, deleted and the fake VIF instance are not live
    expect(byName.cell1!.figures).toEqual({ liveInstances: 2, computeNodes: 0 });
    expect(byName.cell2!.figures?.liveInstances).toBe(1);
    expect(byName.cell1!.schema?.state).toBe('current');
    expect(byName.cell0!.transportUrl).toBe('none:///');
    expect(byName.cell1!.transportUrl).toBe('rabbit://guest:****@127.0.0.1:5672/');
    for (const c of list.cells) expect(c.status).toBe('up');
  });

  it('reports a cell that refuses connections as down, with its last-known figures, while others render', async () => {
    await listCells(deps); // records figures while every cell answers
    const cell2 = dep.cells[1]!;
    await dep.api.db
      .update(cellMappings)
      .set({ databaseConnection: `postgresql://nova:topsecret@127.0.0.1:${closedPort}/nova_cell2` })
      .where(eq(cellMappings.uuid, cell2.uuid));
    try {
      const list = await listCells(deps);
      const down = list.cells.find((c) => c.uuid === cell2.uuid)!;
      expect(down.status).toBe('down');
      expect(down.reason).toBe('refused');
      expect(down.figures).toBeNull();
      expect(down.lastKnown?.value.figures?.liveInstances).toBe(1);
      expect(down.lastKnown!.observedAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(down.databaseConnection).toBe(`postgresql://nova:****@127.0.0.1:${closedPort}/nova_cell2`);
      expect(JSON.stringify(list)).not.toContain('topsecret');
      expect(list.answered).toBe(2);
      expect(list.cells.find((c) => c.name === 'cell1')!.figures?.liveInstances).toBe(2);
    } finally {
      await dep.api.db.update(cellMappings).set({ databaseConnection: cell2.url }).where(eq(cellMappings.uuid, cell2.uuid));
    }
  });

  it('reports a cell whose schema is behind without migrating it', async () => {
    const empty = await dep.createCellDatabase({ migrated: false });
    const added = await dep.addCell({ name: 'cell-new', url: empty.url });
    try {
      const list = await listCells(deps);
      const row = list.cells.find((c) => c.uuid === added.uuid)!;
      expect(row.status).toBe('up');
      expect(row.schema?.state).toBe('uninitialised');
      // the read did not migrate it
      const again = await listCells(deps);
      expect(again.cells.find((c) => c.uuid === added.uuid)!.schema?.state).toBe('uninitialised');
    } finally {
      await dep.api.db.delete(cellMappings).where(eq(cellMappings.uuid, added.uuid));
    }
  });
});

describe('checkHealth', () => {
  it('is ok when every cell answers', async () => {
    const h = await checkHealth(deps);
    expect(h.status).toBe('ok');
    expect(h.api.status).toBe('up');
    expect(h.cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
  });

  it('is degraded, within the deadline, when a cell does not answer; never shows a password', async () => {
    const silent = await silentServer();
    const port = silent.port;
    const added = await dep.addCell({ name: 'hung', url: `postgresql://nova:hunter2@127.0.0.1:${port}/nova` });
    try {
      const started = performance.now();
      const h = await checkHealth(deps);
      const took = performance.now() - started;
      expect(h.status).toBe('degraded');
      const hung = h.cells.find((c) => c.uuid === added.uuid)!;
      expect(hung).toMatchObject({ status: 'down', reason: 'timeout' });
      expect(h.cells.filter((c) => c.status === 'up')).toHaveLength(3);
      expect(took).toBeLessThan(DEADLINE * 1.1 + 200);
      expect(JSON.stringify(h)).not.toContain('hunter2');
    } finally {
      await dep.api.db.delete(cellMappings).where(eq(cellMappings.uuid, added.uuid));
      await silent.close();
    }
  });
});
