import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cellMappings, flavors } from '@/db/api/schema';
import { computeNodes, services } from '@/db/cell/schema';
import { acceptBoot } from './accept-boot';
import { type CapacityReport, cellCapacity } from './capacity';
import { scheduleAndBuild } from './schedule-and-build';
import { type BootTestDeployment, bootDeployment } from './testing';

let t: BootTestDeployment;
beforeAll(async () => {
  t = await bootDeployment({ deadlineMs: 1000 });
  await t.dep.api.db.insert(flavors).values({ name: 'm1.retired', flavorid: 'retired', vcpus: 1, memoryMb: 512, rootGb: 1, disabled: true });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

const cellOf = (r: CapacityReport, uuid: string) => r.cells.find((c) => c.cell.uuid === uuid)!;
const slotsOf = (r: CapacityReport, uuid: string, flavor: string) => cellOf(r, uuid).figures!.flavors.find((f) => f.name === flavor)!;
const totalOf = (r: CapacityReport, flavor: string) => r.totals.flavors.find((f) => f.name === flavor)!;

describe('cellCapacity', () => {
  it('reports raw totals over all live nodes, and capacity, use and slots over the schedulable ones of mapped hosts', async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.compute(t.cell1, 'cmp-down', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
    await t.cell1.handle.db.update(services).set({ lastSeenUp: new Date(Date.now() - 3_600_000) }).where(eq(services.host, 'cmp-down'));
    await t.compute(t.cell1, 'cmp-off', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
    await t.cell1.handle.db.update(services).set({ disabled: true }).where(eq(services.host, 'cmp-off'));
    await t.compute(t.cell1, 'cmp-new', { vcpus: 4, memoryMb: 8192, localGb: 100 }, { mapped: false });
    await t.compute(t.cell2, 'cmp-b', { vcpus: 2, memoryMb: 4096, localGb: 50 });

    const r = await cellCapacity(t.deps);
    expect(r.cells.map((c) => c.cell.name)).toEqual(['cell1', 'cell2']); // never cell0
    const c1 = cellOf(r, t.cell1.uuid);
    expect(c1.status).toBe('up');
    expect(c1.figures!.nodes).toEqual({ total: 4, schedulable: 2, 'service-down': 1, 'service-disabled': 1, 'no-service': 0, unmapped: 1, mappedElsewhere: 0 });
    expect(c1.figures!.raw).toEqual({
      vcpus: 8 + 64 + 64 + 4,
      memoryMb: 16384 + 262144 + 262144 + 8192,
      localGb: 200 + 4000 + 4000 + 100,
      vcpusUsed: 0,
      memoryMbUsed: 4 * 512,
      localGbUsed: 0,
    });
    // Only cmp-a: 8 × 16 vCPUs, 16384 × 1.5 MB, 200 × 1 GB; 512 MB reserved.
    expect(c1.figures!.schedulable).toEqual({
      capacity: { vcpus: 128, memoryMb: 24576, localGb: 200 },
      used: { vcpus: 0, memoryMb: 512, localGb: 0 },
      free: { vcpus: 128, memoryMb: 24064, localGb: 200 },
    });
    // m1.small (1, 2048, 20): min(128, 11, 10); on unmapped cmp-new (64, 11776, 100): min(64, 5, 5).
    expect(slotsOf(r, t.cell1.uuid, 'm1.small')).toMatchObject({ slots: 10, unmappedSlots: 5, need: { vcpus: 1, memoryMb: 2048, diskGb: 20 } });
    // m1.swap: disk 10 + 5 + ceil(1536 / 1024) = 17 GB → min(128, 23, 11).
    expect(slotsOf(r, t.cell1.uuid, 'm1.swap')).toMatchObject({ slots: 11, need: { diskGb: 17 } });
    expect(slotsOf(r, t.cell1.uuid, 'm1.huge').slots).toBe(0);
    // cmp-b: (32, 5632, 50) → m1.small min(32, 2, 2).
    expect(slotsOf(r, t.cell2.uuid, 'm1.small').slots).toBe(2);
    expect(totalOf(r, 'm1.small')).toMatchObject({ slots: 12, unmappedSlots: 5 });
    expect(r.flavors.map((f) => f.name)).not.toContain('m1.retired');
  });

  it("slots drop by what the scheduler places, and the scheduler places exactly the slots there are", async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    const before = await cellCapacity(t.deps);
    expect(slotsOf(before, t.cell1.uuid, 'm1.small').slots).toBe(10);
    expect(slotsOf(before, t.cell1.uuid, 'm1.medium').slots).toBe(5); // min(64, 5, 5)

    const three = await acceptBoot(t.deps, { flavor: 'm1.small', count: 3 });
    expect((await scheduleAndBuild(t.deps, three.instanceUuids)).outcomes.every((o) => o.result === 'built')).toBe(true);
    const after = await cellCapacity(t.deps);
    expect(slotsOf(after, t.cell1.uuid, 'm1.small').slots).toBe(7);
    // free now (125, 17920, 140): m1.medium min(62, 4, 3).
    expect(slotsOf(after, t.cell1.uuid, 'm1.medium').slots).toBe(3);
    expect(cellOf(after, t.cell1.uuid).figures!.schedulable.used).toEqual({ vcpus: 3, memoryMb: 512 + 3 * 2048, localGb: 60 });

    // The scheduler agrees: three more m1.medium fit, the fourth does not.
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const b = await acceptBoot(t.deps, { flavor: 'm1.medium', count: 1 });
      outcomes.push((await scheduleAndBuild(t.deps, b.instanceUuids)).outcomes[0]!.result);
    }
    expect(outcomes).toEqual(['built', 'built', 'built', 'buried']);
    expect(slotsOf(await cellCapacity(t.deps), t.cell1.uuid, 'm1.medium').slots).toBe(0);
  });

  it("reads a NULL allocation ratio as nova's default", async () => {
    const id = await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.cell1.handle.db
      .update(computeNodes)
      .set({ cpuAllocationRatio: null, ramAllocationRatio: null, diskAllocationRatio: null })
      .where(eq(computeNodes.id, id));
    const r = await cellCapacity(t.deps);
    expect(cellOf(r, t.cell1.uuid).figures!.schedulable.capacity).toEqual({ vcpus: 128, memoryMb: 24576, localGb: 200 });
  });

  it('reports a cell that does not answer as down while the others answer, and leaves disabled cells out of the totals', async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.compute(t.cell2, 'cmp-b', { vcpus: 2, memoryMb: 4096, localGb: 50 });
    await t.dep.api.db.update(cellMappings).set({ disabled: true }).where(eq(cellMappings.uuid, t.cell2.uuid));
    const dead = await t.dep.addCell({ name: 'dead', url: 'postgresql://nova:pw@127.0.0.1:1/nova' });
    const r = await cellCapacity(t.deps);
    expect(cellOf(r, dead.uuid)).toMatchObject({ status: 'down', reason: 'refused', figures: null });
    expect(cellOf(r, t.cell1.uuid).status).toBe('up');
    expect(cellOf(r, t.cell2.uuid)).toMatchObject({ status: 'up', cell: { disabled: true } });
    expect(slotsOf(r, t.cell2.uuid, 'm1.small').slots).toBe(2);
    expect(totalOf(r, 'm1.small').slots).toBe(10);
    expect(JSON.stringify(r)).not.toContain(':pw@');
  });
});
