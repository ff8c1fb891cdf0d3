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
  it('reports figures over all live nodes, and over the schedulable ones of mapped hosts, and slots there', async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.compute(t.cell1, 'cmp-down', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
    await t.cell1.handle.db
      .update(services)
      .set({ lastSeenUp: new Date(Date.now() - 3_600_000) })
      .where(eq(services.host, 'cmp-down'));
    await t.compute(t.cell1, 'cmp-off', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
    await t.cell1.handle.db.update(services).set({ disabled: true }).where(eq(services.host, 'cmp-off'));
    await t.compute(t.cell1, 'cmp-new', { vcpus: 4, memoryMb: 8192, localGb: 100 }, { mapped: false });
    await t.compute(t.cell2, 'cmp-b', { vcpus: 2, memoryMb: 4096, localGb: 50 });

    const r = await cellCapacity(t.deps);
    expect(r.cells.map((c) => c.cell.name)).toEqual(['cell1', 'cell2']); // never cell0
    const c1 = cellOf(r, t.cell1.uuid);
    expect(c1.status).toBe('up');
    expect(c1.figures!.nodes).toEqual({ total: 4, schedulable: 2, 'service-down': 1, 'service-disabled': 1, 'no-service': 0, unmapped: 1, mappedElsewhere: 0 });
    // register_compute wrote nova's initial ratios (4.0 / 1.0 / 1.0) and 512 MiB reserved in memory_mb_used.
    expect(c1.figures!.all).toEqual({
      nodes: 4,
      vcpus: { total: 8 + 64 + 64 + 4, capacity: 4 * (8 + 64 + 64 + 4), used: 0, free: 4 * (8 + 64 + 64 + 4) },
      memoryMb: {
        total: 16384 + 262144 + 262144 + 8192,
        capacity: 16384 + 262144 + 262144 + 8192,
        used: 4 * 512,
        free: 16384 + 262144 + 262144 + 8192 - 4 * 512,
      },
      diskGb: { total: 200 + 4000 + 4000 + 100, capacity: 200 + 4000 + 4000 + 100, used: 0, free: 200 + 4000 + 4000 + 100 },
    });
    // Only cmp-a: 8 × 4 vCPUs, 16384 × 1.0 MiB, 200 × 1.0 GB; 512 MiB reserved.
    expect(c1.figures!.schedulable).toEqual({
      nodes: 1,
      vcpus: { total: 8, capacity: 32, used: 0, free: 32 },
      memoryMb: { total: 16384, capacity: 16384, used: 512, free: 15872 },
      diskGb: { total: 200, capacity: 200, used: 0, free: 200 },
    });
    expect(c1.figures!.unmapped).toMatchObject({ nodes: 1, vcpus: { free: 16 }, memoryMb: { free: 7680 }, diskGb: { free: 100 } });
    // m1.small (1, 2048, 20): min(32, 7, 10); on unmapped cmp-new (16, 7680, 100): min(16, 3, 5).
    expect(slotsOf(r, t.cell1.uuid, 'm1.small')).toMatchObject({ slots: 7, unmappedSlots: 3, need: { vcpus: 1, memoryMb: 2048, diskGb: 20 } });
    // m1.swap: disk 10 + 5 + ceil(1536 / 1024) = 17 GB → min(32, 15, 11).
    expect(slotsOf(r, t.cell1.uuid, 'm1.swap')).toMatchObject({ slots: 11, need: { diskGb: 17 } });
    expect(slotsOf(r, t.cell1.uuid, 'm1.huge').slots).toBe(0);
    // cmp-b: (8, 3584, 50) → m1.small min(8, 1, 2).
    expect(slotsOf(r, t.cell2.uuid, 'm1.small').slots).toBe(1);
    expect(totalOf(r, 'm1.small')).toMatchObject({ slots: 8, unmappedSlots: 3 });
    expect(r.initialAllocationRatios).toEqual({ cpu: 4, ram: 1, disk: 1 });
    expect(r.flavors.map((f) => f.name)).not.toContain('m1.retired');
  });

  it('slots drop by what the scheduler places, and the scheduler places exactly the slots there are', async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    const before = await cellCapacity(t.deps);
    expect(slotsOf(before, t.cell1.uuid, 'm1.small').slots).toBe(7);
    expect(slotsOf(before, t.cell1.uuid, 'm1.medium').slots).toBe(3); // min(16, 3, 5)

    const three = await acceptBoot(t.deps, { flavor: 'm1.small', count: 3 });
    expect((await scheduleAndBuild(t.deps, three.instanceUuids)).outcomes.every((o) => o.result === 'built')).toBe(true);
    const after = await cellCapacity(t.deps);
    expect(slotsOf(after, t.cell1.uuid, 'm1.small').slots).toBe(4);
    // free now (29, 9728, 140): m1.medium min(14, 2, 3).
    expect(slotsOf(after, t.cell1.uuid, 'm1.medium').slots).toBe(2);
    const used = cellOf(after, t.cell1.uuid).figures!.schedulable;
    expect([used.vcpus.used, used.memoryMb.used, used.diskGb.used]).toEqual([3, 512 + 3 * 2048, 60]);

    // The scheduler agrees: two more m1.medium fit, the third does not.
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const b = await acceptBoot(t.deps, { flavor: 'm1.medium', count: 1 });
      outcomes.push((await scheduleAndBuild(t.deps, b.instanceUuids)).outcomes[0]!.result);
    }
    expect(outcomes).toEqual(['built', 'built', 'buried']);
    expect(slotsOf(await cellCapacity(t.deps), t.cell1.uuid, 'm1.medium').slots).toBe(0);
  });

  it("reads a NULL allocation ratio as the initial ratio: nova's 4.0 / 1.0 / 1.0, or the configured one", async () => {
    const id = await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.cell1.handle.db
      .update(computeNodes)
      .set({ cpuAllocationRatio: null, ramAllocationRatio: null, diskAllocationRatio: null })
      .where(eq(computeNodes.id, id));
    const capacityOf = (r: CapacityReport) => {
      const s = cellOf(r, t.cell1.uuid).figures!.schedulable;
      return [s.vcpus.capacity, s.memoryMb.capacity, s.diskGb.capacity];
    };
    expect(capacityOf(await cellCapacity(t.deps))).toEqual([32, 16384, 200]);
    // As CELLAR_INITIAL_CPU_ALLOCATION_RATIO=16 CELLAR_INITIAL_RAM_ALLOCATION_RATIO=1.5 would (nova 26's initial ratios).
    expect(capacityOf(await cellCapacity({ ...t.deps, initialAllocationRatios: { cpu: 16, ram: 1.5, disk: 1 } }))).toEqual([128, 24576, 200]);
  });

  it('reports a cell that does not answer as down while the others answer, and leaves disabled cells out of the totals', async () => {
    await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
    await t.compute(t.cell2, 'cmp-b', { vcpus: 2, memoryMb: 4096, localGb: 50 });
    await t.dep.api.db.update(cellMappings).set({ disabled: true }).where(eq(cellMappings.uuid, t.cell2.uuid));
    const dead = await t.dep.addCell({ name: 'dead', url: 'postgresql://nova:pw@127.0.0.1:1/nova' });
    const r = await cellCapacity(t.deps);
    expect(cellOf(r, dead.uuid)).toMatchObject({ status: 'down', down: { uuid: dead.uuid, name: 'dead', reason: 'refused' }, figures: null });
    expect(cellOf(r, dead.uuid).down!.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(cellOf(r, t.cell1.uuid).status).toBe('up');
    expect(cellOf(r, t.cell2.uuid)).toMatchObject({ status: 'up', cell: { disabled: true } });
    expect(slotsOf(r, t.cell2.uuid, 'm1.small').slots).toBe(1);
    expect(totalOf(r, 'm1.small').slots).toBe(7);
    expect(JSON.stringify(r)).not.toContain(':pw@');
  });
});
