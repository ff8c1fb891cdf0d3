import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostMappings } from '@/db/api/schema';
import { computeNodes, services } from '@/db/cell/schema';
import { isCellarError } from '../errors';
import { CellRegistry } from '@/db/registry';
import { CELL0_UUID } from '../nova/constants';
import { serviceState } from '../nova/service-state';
import { registerCompute } from './register-compute';
import { type BootTestDeployment, bootDeployment } from './testing';

let t: BootTestDeployment;
beforeAll(async () => {
  t = await bootDeployment();
});
afterAll(async () => {
  await t?.close();
});

describe('registerCompute', () => {
  it('creates an up nova-compute service and an unmapped compute node, and no host mapping', async () => {
    const r = await registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'cmp-reg-1', vcpus: 32, memoryMb: 131072, localGb: 900 });
    expect(r).toMatchObject({
      host: 'cmp-reg-1',
      hypervisorHostname: 'cmp-reg-1',
      serviceCreated: true,
      computeNodeCreated: true,
      hostMapped: false,
      cell: { uuid: t.cell1.uuid },
    });
    expect(r.message).toContain('run discover_hosts');

    const [svc] = await t.cell1.handle.db.select().from(services).where(eq(services.host, 'cmp-reg-1'));
    expect(svc).toMatchObject({ binary: 'nova-compute', topic: 'compute', disabled: false, forcedDown: false, deleted: 0 });
    expect(serviceState(svc!, new Date(), 60)).toBe('up');
    const [node] = await t.cell1.handle.db.select().from(computeNodes).where(eq(computeNodes.host, 'cmp-reg-1'));
    expect(node).toMatchObject({
      id: r.computeNodeId,
      uuid: r.computeNodeUuid,
      serviceId: svc!.id,
      hypervisorHostname: 'cmp-reg-1',
      vcpus: 32,
      memoryMb: 131072,
      localGb: 900,
      vcpusUsed: 0,
      memoryMbUsed: 512,
      localGbUsed: 0,
      mapped: 0,
      // nova's resource tracker writes [DEFAULT]initial_*_allocation_ratio on a new node: 4.0 / 1.0 / 1.0.
      cpuAllocationRatio: 4,
      ramAllocationRatio: 1,
      diskAllocationRatio: 1,
      deleted: 0,
    });
    expect(await t.dep.api.db.select().from(hostMappings).where(eq(hostMappings.host, 'cmp-reg-1'))).toEqual([]);
  });

  it('is idempotent: registering again updates the same rows (new inventory, usage kept, heartbeat renewed)', async () => {
    const first = await registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'cmp-reg-2', hypervisorHostname: 'node-a', vcpus: 8 });
    await t.cell1.handle.db.update(computeNodes).set({ vcpusUsed: 3 }).where(eq(computeNodes.id, first.computeNodeId));
    await t.dep.api.db.insert(hostMappings).values({ cellId: t.cell1.id, host: 'cmp-reg-2' });
    const again = await registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'cmp-reg-2', hypervisorHostname: 'node-a', vcpus: 12 });
    expect(again).toMatchObject({
      serviceId: first.serviceId,
      computeNodeId: first.computeNodeId,
      computeNodeUuid: first.computeNodeUuid,
      serviceCreated: false,
      computeNodeCreated: false,
      hostMapped: true,
    });
    const nodes = await t.cell1.handle.db
      .select()
      .from(computeNodes)
      .where(and(eq(computeNodes.host, 'cmp-reg-2'), eq(computeNodes.deleted, 0)));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ vcpus: 12, vcpusUsed: 3 });
    const [svc] = await t.cell1.handle.db.select().from(services).where(eq(services.host, 'cmp-reg-2'));
    expect(svc!.reportCount).toBe(1);
  });

  it("writes the configured initial ratios on a new node only; registering again leaves the node's, as nova does", async () => {
    const as16 = { ...t.deps, initialAllocationRatios: { cpu: 16, ram: 1.5, disk: 1 } };
    const fresh = await registerCompute(as16, { cellUuid: t.cell1.uuid, host: 'cmp-reg-3' });
    const ratiosOf = async (id: number) => {
      const [n] = await t.cell1.handle.db.select().from(computeNodes).where(eq(computeNodes.id, id));
      return [n!.cpuAllocationRatio, n!.ramAllocationRatio, n!.diskAllocationRatio];
    };
    expect(await ratiosOf(fresh.computeNodeId)).toEqual([16, 1.5, 1]);
    const again = await registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'cmp-reg-3' });
    expect(again.computeNodeId).toBe(fresh.computeNodeId);
    expect(await ratiosOf(fresh.computeNodeId)).toEqual([16, 1.5, 1]);
  });

  it('registering the same compute from many places at once makes one service and one node, whatever unique key the race hits', async () => {
    // Several registries are several processes: each has its own pool, so up to
    // PLACES × 3 inserts for one host reach the server at the same moment. services has two
    // unique keys, (host, binary, deleted) and (host, topic, deleted); the race may trip
    // either, and every caller must still succeed.
    const PLACES = 6;
    const CALLERS = 32;
    const ROUNDS = 40;
    const registries = Array.from({ length: PLACES }, () => new CellRegistry({ baseUrl: t.dep.apiUrl, pool: { max: 4 } }));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const host = `cmp-race-${round}`;
        const settled = await Promise.allSettled(
          Array.from({ length: CALLERS }, (_, i) => registerCompute({ ...t.deps, registry: registries[i % PLACES]! }, { cellUuid: t.cell2.uuid, host })),
        );
        const failures = settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error)?.message ?? s.reason)] : []));
        expect(failures, `round ${round}`).toEqual([]);
        const results = settled.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof registerCompute>>>).value);
        expect(new Set(results.map((r) => r.computeNodeId)).size).toBe(1);
        expect(new Set(results.map((r) => r.serviceId)).size).toBe(1);
        expect(results.filter((r) => r.computeNodeCreated)).toHaveLength(1);
        expect(results.filter((r) => r.serviceCreated)).toHaveLength(1);
        const [n] = await t.cell2.handle.sql<{ svc: number; node: number; reports: number }[]>`
          select (select count(*)::int from services where host = ${host} and deleted = 0) as svc,
                 (select count(*)::int from compute_nodes where host = ${host} and deleted = 0) as node,
                 (select report_count from services where host = ${host} and deleted = 0) as reports`;
        // Every caller but the first renewed the heartbeat of the one service.
        expect(n).toEqual({ svc: 1, node: 1, reports: CALLERS - 1 });
      }
    } finally {
      await Promise.all(registries.map((r) => r.closeAll()));
    }
  });

  it('a second hypervisor node on the same host (ironic-style) is a second node under the one service', async () => {
    const a = await registerCompute(t.deps, { cellUuid: t.cell2.uuid, host: 'bm-1', hypervisorHostname: 'node-1' });
    const b = await registerCompute(t.deps, { cellUuid: t.cell2.uuid, host: 'bm-1', hypervisorHostname: 'node-2' });
    expect(b.serviceId).toBe(a.serviceId);
    expect(b.computeNodeId).not.toBe(a.computeNodeId);
  });

  it("refuses an unknown cell with nova's message, cell0, and bad numbers", async () => {
    const missing = '9d0c0b7e-0000-4000-8000-000000000000';
    const e1 = await registerCompute(t.deps, { cellUuid: missing, host: 'x' }).catch((e: unknown) => e);
    expect(isCellarError(e1)).toBe(true);
    expect(e1).toMatchObject({ kind: 'not_found', exitCode: 1, message: `Cell with uuid ${missing} was not found.` });
    const e2 = await registerCompute(t.deps, { cellUuid: CELL0_UUID, host: 'x' }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ exitCode: 1 });
    expect((e2 as Error).message).toContain('cell0 holds no compute hosts');
    const e3 = await registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'x', vcpus: 0 }).catch((e: unknown) => e);
    expect(e3).toMatchObject({ kind: 'invalid', exitCode: 1, message: '--vcpus must be at least 1' });
    const [n] = await t.dep.cell0.handle.sql<{ n: number }[]>`select count(*)::int as n from services where host = 'x'`;
    expect(n!.n).toBe(0);
  });
});
