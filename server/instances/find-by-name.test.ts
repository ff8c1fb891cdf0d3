import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { findInstancesByName } from './find-by-name';
import { NAME_MATCHES_PER_CELL } from './find-by-name-input';
import { seedInstances } from './testing';

let dep: TestDeployment;
let deps: Deps;
const u = (cell: number, n: number) => `${cell}${cell}${cell}${cell}0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
  const [cell1, cell2] = dep.cells;
  await seedInstances(dep.api, dep.cell0, [{ uuid: u(0, 1), createdAt: '2026-03-01 09:00:00', vmState: 'error', host: null, displayName: 'web-1' }]);
  await seedInstances(dep.api, cell1!, [
    { uuid: u(1, 1), createdAt: '2026-03-01 10:00:00', displayName: 'web-1', host: 'cmp-1', projectId: 'project-a' },
    { uuid: u(1, 2), createdAt: '2026-03-01 08:00:00', displayName: 'WEB-1', vmState: 'stopped' },
    { uuid: u(1, 3), createdAt: '2026-03-01 11:00:00', displayName: 'web-1', deleted: true, vmState: 'deleted' },
    { uuid: u(1, 4), createdAt: '2026-03-01 11:00:00', displayName: 'web-1', hidden: true },
    { uuid: u(1, 5), createdAt: '2026-03-01 11:00:00', displayName: 'web-10' },
  ]);
  await seedInstances(dep.api, cell2!, [{ uuid: u(2, 1), createdAt: '2026-03-01 09:30:00', displayName: 'web-1', host: 'cmp-9' }]);
  await seedInstances(dep.api, cell1!, [{ uuid: FAKE_INSTANCE_UUID, createdAt: '2026-03-01 01:00:00', displayName: 'web-1', projectId: FAKE_INSTANCE_UUID }]);
});

afterAll(async () => {
  await dep?.close();
});

describe('findInstancesByName', () => {
  it('finds every live instance of that name in every cell, cell0 included, in any case, newest first', async () => {
    const found = await findInstancesByName(deps, { name: '  Web-1 ' });
    expect(found.name).toBe('Web-1');
    expect(found.matches.map((m) => m.uuid)).toEqual([u(1, 1), u(2, 1), u(0, 1), u(1, 2)]);
    expect(found.matches.map((m) => m.cell.name)).toEqual(['cell1', 'cell2', 'cell0', 'cell1']);
    expect(found.matches[0]).toMatchObject({ name: 'web-1', status: 'ACTIVE', host: 'cmp-1', projectId: 'project-a' });
    expect(found.matches[3]).toMatchObject({ name: 'WEB-1', status: 'SHUTOFF' });
    expect(found.matches[0]!.createdAt!.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(found).toMatchObject({ down: [], truncated: [], answered: 3, total: 3 });
  });

  it('asks only the cells given, and finds nothing for a name nobody has (not a substring match)', async () => {
    const one = await findInstancesByName(deps, { name: 'web-1', cellUuids: [dep.cells[1]!.uuid] });
    expect(one.matches.map((m) => m.uuid)).toEqual([u(2, 1)]);
    expect(one).toMatchObject({ answered: 1, total: 1 });
    expect((await findInstancesByName(deps, { name: 'web' })).matches).toEqual([]);
  });

  it('says how many matched beyond what it reads of a cell', async () => {
    const many = Array.from({ length: NAME_MATCHES_PER_CELL + 2 }, (_, i) => ({
      uuid: `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`,
      createdAt: '2026-03-02 00:00:00',
      displayName: 'same-name',
    }));
    await seedInstances(dep.api, dep.cells[0]!, many);
    const found = await findInstancesByName(deps, { name: 'same-name' });
    expect(found.matches).toHaveLength(NAME_MATCHES_PER_CELL);
    expect(found.truncated.map((c) => c.name)).toEqual(['cell1']);
  });

  it('reports a cell that does not answer as down, never as having none', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const cell2 = dep.cells[1]!;
    await dep.api.sql`update cell_mappings set database_connection = ${`postgresql://nova:s3cret@127.0.0.1:${port}/nova_cell2`} where uuid = ${cell2.uuid}`;
    try {
      const found = await findInstancesByName(deps, { name: 'web-1' });
      expect(found.matches.map((m) => m.uuid)).toEqual([u(1, 1), u(0, 1), u(1, 2)]);
      expect(found.down).toHaveLength(1);
      expect(found.down[0]).toMatchObject({ uuid: cell2.uuid, name: 'cell2', reason: 'refused' });
      expect(found).toMatchObject({ answered: 2, total: 3 });
      expect(JSON.stringify(found)).not.toContain('s3cret');
    } finally {
      await dep.api.sql`update cell_mappings set database_connection = ${cell2.url} where uuid = ${cell2.uuid}`;
    }
  });

  it('refuses an empty or overlong name plainly', async () => {
    await expect(findInstancesByName(deps, { name: '   ' })).rejects.toThrow(/give a name to look up/);
    await expect(findInstancesByName(deps, { name: 'x'.repeat(256) })).rejects.toThrow();
  });
});
