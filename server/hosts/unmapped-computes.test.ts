import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { listUnmappedComputes } from './unmapped-computes';
import { addComputeHosts, closedPort, silentServer, testDeps } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;
const NOW = new Date('2026-11-21T12:00:00Z');
const HOUR = 3_600_000;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
  await addComputeHosts(cell1, [
    { host: 'mapped-1', mapped: 1 },
    // mapped = 1 but no mapping: still unmapped (the flag is only a hint).
    { host: 'flag-lies', mapped: 1, createdAt: new Date(NOW.getTime() - 3 * HOUR), service: { lastSeenUp: new Date(NOW.getTime() - 10_000) } },
    // mapped = 0 but mapped: not listed.
    { host: 'flag-stale', mapped: 0 },
    { host: 'new-down', createdAt: new Date(NOW.getTime() - 2 * HOUR), service: { lastSeenUp: new Date(NOW.getTime() - HOUR) } },
    { host: 'removed', deletedNodes: true },
  ]);
  await addComputeHosts(cell2, [
    { host: 'new-disabled', service: { disabled: true, disabledReason: 'Maintenance: DIMM', lastSeenUp: NOW } },
    { host: 'forced', service: { forcedDown: true, lastSeenUp: NOW } },
    { host: 'bm-host', nodes: ['node-a', 'node-b'], service: false },
  ]);
  await addComputeHosts(dep.cell0, [{ host: 'in-cell0' }]);
  await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'mapped-1'), (${cell1.id}, 'flag-stale')`;
});
afterAll(async () => {
  await dep?.close();
});

const at = (deadlineMs = 5000) => ({ ...testDeps(dep, deadlineMs), now: () => NOW });

describe('listUnmappedComputes', () => {
  it('lists live compute-node hosts with no host mapping in every cell but cell0, with service state and waiting time', async () => {
    const r = await listUnmappedComputes(at());
    expect(r.computes.map((c) => [c.host, c.hypervisorHostname, c.cell.name])).toEqual([
      ['bm-host', 'node-a', 'cell2'],
      ['bm-host', 'node-b', 'cell2'],
      ['flag-lies', 'flag-lies', 'cell1'],
      ['forced', 'forced', 'cell2'],
      ['new-disabled', 'new-disabled', 'cell2'],
      ['new-down', 'new-down', 'cell1'],
    ]);
    const by = Object.fromEntries(r.computes.map((c) => [c.hypervisorHostname, c]));
    expect(by['flag-lies']!.service).toMatchObject({ state: 'up', disabled: false, forcedDown: false });
    expect(by['flag-lies']!.waitingSince).toEqual(new Date(NOW.getTime() - 3 * HOUR));
    expect(by['new-down']!.service).toMatchObject({ state: 'down', lastHeartbeat: new Date(NOW.getTime() - HOUR) });
    expect(by['new-disabled']!.service).toMatchObject({ state: 'up', disabled: true, disabledReason: 'Maintenance: DIMM' });
    expect(by.forced!.service).toMatchObject({ state: 'down', forcedDown: true });
    expect(by['node-a']!.service).toBeNull();
    expect(r.cells.map((c) => c.name)).toEqual(['cell1', 'cell2']);
    expect([r.answered, r.total, r.down]).toEqual([2, 2, []]);
    expect(r.asOf).toEqual(NOW);
  });

  it('reports cells that do not answer and still lists the others', async () => {
    const silent = await silentServer();
    const refused = await dep.addCell({ name: 'refusing', url: `postgresql://nova:s3cret@127.0.0.1:${await closedPort()}/x` });
    const hung = await dep.addCell({ name: 'hanging', url: `postgresql://nova:s3cret@127.0.0.1:${silent.port}/x` });
    try {
      const r = await listUnmappedComputes(at(800));
      expect(r.computes.map((c) => c.host)).toContain('new-down');
      expect(r.computes.map((c) => c.host)).toContain('new-disabled');
      expect(r.down.map((d) => [d.uuid, d.name, d.reason])).toEqual([
        [refused.uuid, 'refusing', 'refused'],
        [hung.uuid, 'hanging', 'timeout'],
      ]);
      expect([r.answered, r.total]).toEqual([2, 4]);
      expect(JSON.stringify(r)).not.toContain('s3cret');
    } finally {
      await dep.api.sql`delete from cell_mappings where uuid in (${refused.uuid}, ${hung.uuid})`;
      await silent.close();
    }
  });

  it('is empty when every compute host is mapped', async () => {
    const extra = await dep.addCell({ name: 'cell3' });
    try {
      await dep.api.sql`insert into host_mappings (cell_id, host)
        select ${cell1.id}, h from unnest(${['flag-lies', 'new-down', 'new-disabled', 'forced', 'bm-host']}::text[]) h`;
      const r = await listUnmappedComputes(at());
      expect(r.computes).toEqual([]);
      expect(r.cells.map((c) => c.uuid)).toContain(extra.uuid);
    } finally {
      await dep.api.sql`delete from host_mappings where host in ('flag-lies', 'new-down', 'new-disabled', 'forced', 'bm-host')`;
    }
  });
});
