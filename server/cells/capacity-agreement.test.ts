/**
 * One capacity model everywhere: on a real test deployment, the cells page's figures
 * (boot.capacity), a cell's page (cells.detail) and the scheduler's fit agree for the same
 * cell, node by node and in total, in the same units (vCPUs, MiB, GB) — and the
 * scheduler places exactly the flavor slots the pages count.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings } from '@/db/api/schema';
import { services } from '@/db/cell/schema';
import { acceptBoot } from '../boot/accept-boot';
import { type CapacityReport, cellCapacity } from '../boot/capacity';
import { readCellComputeNodes, readHostCells } from '../boot/compute-nodes';
import { fits, initialAllocationRatios, nodeFigures } from '../boot/fit';
import { scheduleAndBuild } from '../boot/schedule-and-build';
import { type BootTestDeployment, bootDeployment, FLAVORS } from '../boot/testing';
import { flavorNeed, slotsOnNode } from '../nova/capacity';
import { readCellDetail } from './cell-detail';

let t: BootTestDeployment;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await bootDeployment({ deadlineMs: 1500 });
  const c1 = t.cell1;
  // Nodes that store their ratios (nova 26's 16 / 1.5, fractional ones that floor), and nodes that store none.
  ids.old = await t.compute(c1, 'agree-old', { vcpus: 8, memoryMb: 16384, localGb: 200 });
  ids.none = await t.compute(c1, 'agree-null', { vcpus: 6, memoryMb: 12288, localGb: 150 });
  ids.zero = await t.compute(c1, 'agree-zero', { vcpus: 4, memoryMb: 8192, localGb: 100 });
  ids.odd = await t.compute(c1, 'agree-odd', { vcpus: 10, memoryMb: 20001, localGb: 301 });
  ids.down = await t.compute(c1, 'agree-down', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
  ids.off = await t.compute(c1, 'agree-off', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
  ids.unmapped = await t.compute(c1, 'agree-new', { vcpus: 32, memoryMb: 65536, localGb: 1000 }, { mapped: false });
  await t.compute(t.cell2, 'agree-other-cell', { vcpus: 16, memoryMb: 32768, localGb: 500 });
  const sql = c1.handle.sql;
  await sql`update compute_nodes set cpu_allocation_ratio = 16, ram_allocation_ratio = 1.5, disk_allocation_ratio = 1, vcpus_used = 9, memory_mb_used = 512 + 6144, local_gb_used = 60 where id = ${ids.old!}`;
  await sql`update compute_nodes set cpu_allocation_ratio = null, ram_allocation_ratio = null, disk_allocation_ratio = null, vcpus_used = 2 where id = ${ids.none!}`;
  await sql`update compute_nodes set cpu_allocation_ratio = 0, ram_allocation_ratio = 0, disk_allocation_ratio = 0 where id = ${ids.zero!}`;
  await sql`update compute_nodes set cpu_allocation_ratio = 1.1, ram_allocation_ratio = 1.2, disk_allocation_ratio = 0.9 where id = ${ids.odd!}`;
  await c1.handle.db
    .update(services)
    .set({ lastSeenUp: new Date(Date.now() - 3_600_000) })
    .where(eq(services.host, 'agree-down'));
  await c1.handle.db.update(services).set({ disabled: true, disabledReason: 'maintenance' }).where(eq(services.host, 'agree-off'));
});
afterAll(async () => {
  await t?.close();
});

const figuresOf = (r: CapacityReport, uuid: string) => {
  const c = r.cells.find((x) => x.cell.uuid === uuid)!;
  if (c.status !== 'up') throw new Error(`cell ${uuid} did not answer: ${c.down.message}`);
  return c.figures;
};

describe('the cells page, the cell page and the scheduler agree', () => {
  it('in total and node by node, in the same units', async () => {
    const [report, detail] = await Promise.all([cellCapacity(t.deps), readCellDetail(t.deps, t.cell1.uuid)]);
    const cells = figuresOf(report, t.cell1.uuid);
    expect(detail.status).toBe('up');
    // The cell page's totals are the cells page's: over every live node, and where the scheduler places.
    expect(detail.capacity).toEqual(cells.all);
    expect(detail.schedulableCapacity).toEqual(cells.schedulable);
    expect(detail.initialAllocationRatios).toEqual(report.initialAllocationRatios);
    expect(cells.schedulable.nodes).toBe(4);
    expect(cells.nodes).toMatchObject({ total: 7, schedulable: 5, 'service-down': 1, 'service-disabled': 1, unmapped: 1 });

    // Node by node: the scheduler's own reading of the cell (its figures and its fit) is the cell page's.
    const initial = initialAllocationRatios(t.deps);
    const scheduler = await readCellComputeNodes(t.cell1.handle, new Date(), t.deps.serviceDownTimeS);
    const hostCells = await readHostCells(
      t.deps,
      scheduler.flatMap((n) => (n.host ? [n.host] : [])),
    );
    expect(detail.computeNodes!.map((n) => n.id).sort()).toEqual(scheduler.map((n) => n.id).sort());
    const needs = Object.values(FLAVORS).map((f) => flavorNeed(f));
    for (const s of scheduler) {
      const v = detail.computeNodes!.find((n) => n.id === s.id)!;
      expect(v.capacity, s.host!).toEqual(nodeFigures(s, initial));
      // Units: the data is nova's own (vCPUs, memory_mb in MiB, local_gb in GB), never converted.
      expect([v.capacity.vcpus.total, v.capacity.memoryMb.total, v.capacity.diskGb.total]).toEqual([s.vcpus, s.memoryMb, s.localGb]);
      const schedulable = s.status === 'schedulable' && hostCells.get(s.host!) === t.cell1.uuid;
      expect(v.placement, s.host!).toBe(schedulable ? 'schedulable' : s.status === 'schedulable' && !hostCells.has(s.host!) ? 'unmapped' : 'not-schedulable');
      for (const need of needs) expect(slotsOnNode(v.capacity, need) > 0, `${s.host} ${JSON.stringify(need)}`).toBe(fits(s, need, initial));
    }
    // Sums: what the pages show is the per-node figures added up (memory in MiB both sides).
    const onPage = detail.computeNodes!.filter((n) => n.placement === 'schedulable');
    expect(cells.schedulable.memoryMb.free).toBe(onPage.reduce((a, n) => a + Math.max(0, n.capacity.memoryMb.free), 0));
    expect(cells.schedulable.memoryMb.total).toBe(onPage.reduce((a, n) => a + n.capacity.memoryMb.total, 0));
    for (const f of cells.flavors) expect(f.slots, f.name).toBe(onPage.reduce((a, n) => a + slotsOnNode(n.capacity, f.need), 0));

    // The demo's stored ratios are read as stored, NULL and 0.0 as the initial ratios, and fractions floor per node.
    const byHost = Object.fromEntries(detail.computeNodes!.map((n) => [n.host, n.capacity]));
    expect(byHost['agree-old']!.vcpus).toMatchObject({ ratio: 16, ratioDefaulted: false, capacity: 128, used: 9, free: 119 });
    expect(byHost['agree-old']!.memoryMb).toMatchObject({ ratio: 1.5, capacity: 24576, free: 24576 - 6656 });
    expect(byHost['agree-null']!.vcpus).toMatchObject({ ratio: initial.cpu, ratioDefaulted: true });
    expect(byHost['agree-zero']!.memoryMb).toMatchObject({ ratio: initial.ram, ratioDefaulted: true });
    expect(byHost['agree-odd']!.vcpus.capacity).toBe(11); // 10 × 1.1
    expect(byHost['agree-odd']!.memoryMb.capacity).toBe(24001); // 20001 × 1.2 = 24001.2
    expect(byHost['agree-odd']!.diskGb.capacity).toBe(270); // 301 × 0.9 = 270.9
  });

  it('the scheduler places exactly the slots both pages count, then no more; both pages then show the same room', async () => {
    // Leave the unmapped host out (the scheduler could pick it and bury the boot in cell0) and cell2 (another cell's room).
    await t.cell1.handle.db.update(services).set({ disabled: true }).where(eq(services.host, 'agree-new'));
    await t.dep.api.db.update(cellMappings).set({ disabled: true }).where(eq(cellMappings.uuid, t.cell2.uuid));
    try {
      const flavor = 'm1.medium';
      const before = await cellCapacity(t.deps);
      const slots = figuresOf(before, t.cell1.uuid).flavors.find((f) => f.name === flavor)!.slots;
      expect(before.totals.flavors.find((f) => f.name === flavor)!.slots).toBe(slots);
      expect(slots).toBeGreaterThan(3);
      expect(slots).toBeLessThan(60);

      const all = await acceptBoot(t.deps, { flavor, count: slots });
      const built = await scheduleAndBuild(t.deps, all.instanceUuids);
      expect(built.outcomes.map((o) => o.result)).toEqual(Array(slots).fill('built'));
      const one = await acceptBoot(t.deps, { flavor, count: 1 });
      expect((await scheduleAndBuild(t.deps, one.instanceUuids)).outcomes.map((o) => o.result)).toEqual(['buried']);

      const [after, detail] = await Promise.all([cellCapacity(t.deps), readCellDetail(t.deps, t.cell1.uuid)]);
      const cells = figuresOf(after, t.cell1.uuid);
      expect(cells.flavors.find((f) => f.name === flavor)!.slots).toBe(0);
      expect(detail.schedulableCapacity).toEqual(cells.schedulable);
      expect(detail.capacity).toEqual(cells.all);
      const need = flavorNeed(FLAVORS[flavor]);
      const usedBefore = figuresOf(before, t.cell1.uuid).schedulable;
      expect(cells.schedulable.vcpus.used - usedBefore.vcpus.used).toBe(slots * need.vcpus);
      expect(cells.schedulable.memoryMb.used - usedBefore.memoryMb.used).toBe(slots * need.memoryMb);
      expect(cells.schedulable.diskGb.used - usedBefore.diskGb.used).toBe(slots * need.diskGb);
      for (const n of detail.computeNodes!.filter((x) => x.placement === 'schedulable')) expect(slotsOnNode(n.capacity, need), n.host!).toBe(0);
    } finally {
      await t.dep.api.db.update(cellMappings).set({ disabled: false }).where(eq(cellMappings.uuid, t.cell2.uuid));
    }
  });

  it('a cell that does not answer is the same down cell on both pages', async () => {
    const dead = await t.dep.addCell({ name: 'agree-dead', url: 'postgresql://nova:pw@127.0.0.1:1/nova' });
    const [report, detail] = await Promise.all([cellCapacity(t.deps), readCellDetail(t.deps, dead.uuid)]);
    const c = report.cells.find((x) => x.cell.uuid === dead.uuid)!;
    expect(c).toMatchObject({ status: 'down', figures: null, down: { uuid: dead.uuid, name: 'agree-dead', reason: 'refused' } });
    expect(detail).toMatchObject({
      status: 'down',
      capacity: null,
      schedulableCapacity: null,
      down: { uuid: dead.uuid, name: 'agree-dead', reason: 'refused' },
    });
  });
});
