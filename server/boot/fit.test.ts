import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodes } from '@/db/cell/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { claimOnNode } from './claim';
import { fits, flavorNeed, type Need, nodeCapacity, nodeFree, type NodeUsage, slotsOnNode } from './fit';

const node = (o: Partial<NodeUsage> = {}): NodeUsage => ({
  vcpus: 8,
  memoryMb: 16384,
  localGb: 200,
  vcpusUsed: 0,
  memoryMbUsed: 0,
  localGbUsed: 0,
  cpuAllocationRatio: 1,
  ramAllocationRatio: 1,
  diskAllocationRatio: 1,
  ...o,
});

describe('the fit function', () => {
  it("reads a NULL or 0.0 ratio as nova's initial ratios: cpu 16, ram 1.5, disk 1", () => {
    const unset = node({ cpuAllocationRatio: null, ramAllocationRatio: 0, diskAllocationRatio: null });
    expect(nodeCapacity(unset)).toEqual({ vcpus: 128, memoryMb: 24576, localGb: 200 });
  });

  it('counts slots as the smallest floor(free / need) over the resources the flavor asks for', () => {
    const n = node({ vcpusUsed: 1, memoryMbUsed: 4096, localGbUsed: 150 });
    // free: 7 vcpus, 12288 MB, 50 GB → 7, 6, 2
    expect(slotsOnNode(n, { vcpus: 1, memoryMb: 2048, diskGb: 20 })).toBe(2);
    expect(slotsOnNode(n, { vcpus: 1, memoryMb: 2048, diskGb: 0 })).toBe(6);
    expect(fits(n, { vcpus: 1, memoryMb: 2048, diskGb: 50 })).toBe(true);
    expect(fits(n, { vcpus: 1, memoryMb: 2048, diskGb: 51 })).toBe(false);
  });

  it('never reports negative room on a node a lowered ratio left overcommitted', () => {
    const n = node({ vcpusUsed: 20, cpuAllocationRatio: 1 });
    expect(nodeFree(n).vcpus).toBe(0);
    expect(slotsOnNode(n, { vcpus: 1, memoryMb: 1, diskGb: 0 })).toBe(0);
  });

  it('a flavor that asks for nothing fits nowhere (nova refuses such flavors)', () => {
    expect(slotsOnNode(node(), { vcpus: 0, memoryMb: 0, diskGb: 0 })).toBe(0);
  });

  it("takes disk as nova's resources_from_flavor: root + ephemeral + swap rounded up to GB, no root for boot-from-volume", () => {
    const f = { vcpus: 2, memoryMb: 4096, rootGb: 40, ephemeralGb: 10, swap: 1536 };
    expect(flavorNeed(f)).toEqual({ vcpus: 2, memoryMb: 4096, diskGb: 52 });
    expect(flavorNeed(f, { bootFromVolume: true })).toEqual({ vcpus: 2, memoryMb: 4096, diskGb: 12 });
    expect(flavorNeed({ vcpus: 1, memoryMb: 512, rootGb: null, ephemeralGb: null, swap: null }).diskGb).toBe(0);
  });
});

describe('the claim is the same test, decided by the database', () => {
  let dep: TestDeployment;
  let nodeId: number;
  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    const [row] = await dep.cells[0]!.handle.db
      .insert(computeNodes)
      .values({ host: 'h', hypervisorHostname: 'h', vcpus: 1, memoryMb: 1, localGb: 1, vcpusUsed: 0, memoryMbUsed: 0, localGbUsed: 0, hypervisorType: 'QEMU', hypervisorVersion: 1, cpuInfo: '{}' })
      .returning({ id: computeNodes.id });
    nodeId = row!.id;
  });
  afterAll(async () => {
    await dep?.close();
  });

  it('for any node and flavor, the conditional UPDATE claims exactly when fits() says it fits', async () => {
    const ratio = fc.oneof(fc.constant(null), fc.constant(0), fc.constantFrom(1, 1.2, 1.5, 2, 3.3, 16), fc.double({ min: 0.1, max: 20, noNaN: true }));
    const arb = fc.record({
      vcpus: fc.integer({ min: 0, max: 256 }),
      memoryMb: fc.integer({ min: 0, max: 1_000_000 }),
      localGb: fc.integer({ min: 0, max: 10_000 }),
      vcpusUsed: fc.integer({ min: 0, max: 600 }),
      memoryMbUsed: fc.integer({ min: 0, max: 1_600_000 }),
      localGbUsed: fc.integer({ min: 0, max: 12_000 }),
      cpuAllocationRatio: ratio,
      ramAllocationRatio: ratio,
      diskAllocationRatio: ratio,
    });
    const needArb = fc.record({ vcpus: fc.integer({ min: 0, max: 64 }), memoryMb: fc.integer({ min: 0, max: 300_000 }), diskGb: fc.integer({ min: 0, max: 3000 }) });
    // Half the cases sit on the edge: used = capacity − need + a small offset, where an off-by-one would show.
    const edge = fc.tuple(arb, needArb, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 })).map(([n, need, a, b, c]) => {
      const cap = nodeCapacity(n);
      return [
        {
          ...n,
          vcpusUsed: Math.max(0, cap.vcpus - need.vcpus + a),
          memoryMbUsed: Math.max(0, cap.memoryMb - need.memoryMb + b),
          localGbUsed: Math.max(0, cap.localGb - need.diskGb + c),
        },
        need,
      ] as [NodeUsage, Need];
    });
    const cases = fc.oneof(fc.tuple(arb, needArb) as fc.Arbitrary<[NodeUsage, Need]>, edge);
    const sql = dep.cells[0]!.handle.sql;
    await fc.assert(
      fc.asyncProperty(cases, async ([n, need]) => {
        await sql`
          update compute_nodes set vcpus = ${n.vcpus}, memory_mb = ${n.memoryMb}, local_gb = ${n.localGb},
            vcpus_used = ${n.vcpusUsed}, memory_mb_used = ${n.memoryMbUsed}, local_gb_used = ${n.localGbUsed},
            cpu_allocation_ratio = ${n.cpuAllocationRatio}, ram_allocation_ratio = ${n.ramAllocationRatio},
            disk_allocation_ratio = ${n.diskAllocationRatio}
          where id = ${nodeId}`;
        const claimed = await claimOnNode(dep.cells[0]!.handle, nodeId, need, new Date());
        expect(claimed !== null).toBe(fits(n, need));
        if (claimed) expect(claimed.vcpusUsed).toBe(n.vcpusUsed + need.vcpus);
      }),
      { numRuns: 300 },
    );
  });
});
