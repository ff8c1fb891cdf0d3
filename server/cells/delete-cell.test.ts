/** The console's delete: nova's guards as distinct plain messages with counts, and race safety. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodes, instances } from '@/db/cell/schema';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { RESTART_NOTICES } from './caveats';
import { deleteCell } from './delete-cell';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
let n = 0;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
});
afterAll(() => dep?.close());

async function cellWith(opts: { hosts?: number; live?: number; deleted?: number }): Promise<TestCell> {
  const c = (await dep.addCell({ name: `cell-${++n}`, transportUrl: `rabbit://mq${n}/` })) as TestCell;
  const hosts = Array.from({ length: opts.hosts ?? 0 }, (_, i) => `${c.name}-h${i}`);
  if (hosts.length) {
    await c.handle.db.insert(computeNodes).values(
      hosts.map((host) => ({
        host,
        hypervisorHostname: host,
        vcpus: 8,
        memoryMb: 1024,
        localGb: 10,
        vcpusUsed: 0,
        memoryMbUsed: 0,
        localGbUsed: 0,
        hypervisorType: 'QEMU',
        hypervisorVersion: 1,
        cpuInfo: '{}',
        mapped: 1,
      })),
    );
    await dep.api.sql`insert into host_mappings ${dep.api.sql(hosts.map((host) => ({ cell_id: c.id, host })))}`;
  }
  const rows = [
    ...Array.from({ length: opts.live ?? 0 }, () => ({ uuid: crypto.randomUUID(), projectId: 'p', vmState: 'active' })),
    ...Array.from({ length: opts.deleted ?? 0 }, (_, i) => ({ uuid: crypto.randomUUID(), projectId: 'p', vmState: 'deleted', deleted: 100 + i })),
  ];
  if (rows.length) {
    await c.handle.db.insert(instances).values(rows);
    await dep.api.sql`insert into instance_mappings ${dep.api.sql(rows.map((r) => ({ instance_uuid: r.uuid, cell_id: c.id, project_id: 'p' })))}`;
  }
  return c;
}

describe('deleteCell: refusals the console shows', () => {
  it('hosts mapped: says how many and what to do (rc 2)', async () => {
    const c = await cellWith({ hosts: 3 });
    const e = await refusal(deleteCell(deps, { cellUuid: c.uuid }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`Cell ${c.name} still has 3 mapped hosts; delete or move them first (forcing the delete removes the host mappings).`);
  });

  it('live instances: says how many, and that forcing does not help (rc 3)', async () => {
    const c = await cellWith({ hosts: 1, live: 2, deleted: 1 });
    const e = await refusal(deleteCell(deps, { cellUuid: c.uuid, force: true }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`Cell ${c.name} still has 2 live instances; delete them first. Forcing never deletes a cell with live instances.`);
    const [node] = await c.handle.sql<{ mapped: number }[]>`select mapped from compute_nodes`;
    expect(node!.mapped).toBe(1);
  });

  it('mappings of deleted instances: says how many and offers archive or force (rc 4)', async () => {
    const c = await cellWith({ deleted: 1 });
    const e = await refusal(deleteCell(deps, { cellUuid: c.uuid }));
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe(
      `Cell ${c.name} still has 1 instance mapping of deleted instances; archive them first (nova-manage db archive_deleted_rows), or force the delete to remove them.`,
    );
  });

  it('unknown cell (rc 1)', async () => {
    const e = await refusal(deleteCell(deps, { cellUuid: 'nope' }));
    expect(e.kind).toBe('not_found');
    expect(e.message).toBe('Cell with uuid nope was not found.');
  });

  it('a forced delete reports what it removed and the restart notice', async () => {
    const c = await cellWith({ hosts: 2, deleted: 4 });
    // nova unmaps every live node (ComputeNodeList.get_all), and compute_node_update sets updated_at.
    await c.handle.sql`update compute_nodes set mapped = 0 where host = ${`${c.name}-h1`}`;
    const r = await deleteCell(deps, { cellUuid: c.uuid, force: true });
    expect(r).toEqual({
      cell: { uuid: c.uuid, name: c.name },
      deleted: { instanceMappings: 4, hostMappings: 2 },
      computeNodesUnmapped: 2,
      notice: RESTART_NOTICES.cellDeleted,
    });
    const nodes = await c.handle.sql`
      select mapped, updated_at between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc') as fresh from compute_nodes`;
    expect(nodes).toEqual([
      { mapped: 0, fresh: true },
      { mapped: 0, fresh: true },
    ]);
  });
});

describe('deleteCell under a race', () => {
  it('a host mapping added while the delete reads the cell cannot slip in: it waits, then fails; the delete is whole', async () => {
    const c = await cellWith({ hosts: 1, deleted: 1 });
    // Hold the cell's instances table so the delete stops in the middle, holding its lock on the mapping.
    const blocker = await c.handle.sql.reserve();
    await blocker`begin`;
    await blocker`lock table instances in access exclusive mode`;
    try {
      const deleting = deleteCell(deps, { cellUuid: c.uuid, force: true });
      for (let i = 0; i < 200; i++) {
        const [w] = await c.handle.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
        if (w!.n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const late = dep.api.sql`insert into host_mappings (cell_id, host) values (${c.id}, 'late-host')`.then(
        () => 'inserted',
        (e: { code?: string }) => e.code,
      );
      await blocker`commit`;
      const r = await deleting;
      expect(r.deleted.hostMappings).toBe(1);
      // The foreign key needed the cell row the delete held: the late mapping waited and found no cell.
      expect(await late).toBe('23503');
      const [left] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from host_mappings where host = 'late-host'`;
      expect(left!.n).toBe(0);
    } finally {
      blocker.release();
    }
  });
});
