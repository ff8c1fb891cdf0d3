import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodes } from '@/db/cell/schema';
import { resetConfig } from '@/db/config';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { type AllocationRatios, NOVA_INITIAL_ALLOCATION_RATIOS, nodeCapacity } from '../nova/capacity';
import { claimOnNode } from './claim';
import { fits, initialAllocationRatios, type Need, type NodeUsage, slotsOnNode } from './fit';

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

describe("the scheduler's fit is nova's capacity model", () => {
  it("reads a NULL or 0.0 ratio as the configured initial ratio, nova's 4.0 / 1.0 / 1.0 unless CELLAR_INITIAL_*_ALLOCATION_RATIO says otherwise", () => {
    const KEYS = ['CELLAR_INITIAL_CPU_ALLOCATION_RATIO', 'CELLAR_INITIAL_RAM_ALLOCATION_RATIO', 'CELLAR_INITIAL_DISK_ALLOCATION_RATIO'] as const;
    const saved = KEYS.map((k) => process.env[k]);
    try {
      resetConfig();
      delete process.env.CELLAR_INITIAL_CPU_ALLOCATION_RATIO;
      delete process.env.CELLAR_INITIAL_RAM_ALLOCATION_RATIO;
      delete process.env.CELLAR_INITIAL_DISK_ALLOCATION_RATIO;
      expect(initialAllocationRatios()).toEqual(NOVA_INITIAL_ALLOCATION_RATIOS);
      process.env.CELLAR_INITIAL_CPU_ALLOCATION_RATIO = '16';
      process.env.CELLAR_INITIAL_RAM_ALLOCATION_RATIO = '1.5';
      resetConfig();
      expect(initialAllocationRatios()).toEqual({ cpu: 16, ram: 1.5, disk: 1 });
      // A caller (a test) may give them itself.
      expect(initialAllocationRatios({ initialAllocationRatios: { cpu: 2, ram: 1, disk: 1 } })).toEqual({ cpu: 2, ram: 1, disk: 1 });
    } finally {
      KEYS.forEach((k, i) => {
        if (saved[i] === undefined) delete process.env[k];
        else process.env[k] = saved[i];
      });
      resetConfig();
    }
    const unset = node({ cpuAllocationRatio: null, ramAllocationRatio: 0, diskAllocationRatio: null, memoryMbUsed: 512 });
    // 8 × 4 vCPUs; 16384 × 1.0 − 512 MiB; 200 GB.
    expect(slotsOnNode(unset, { vcpus: 1, memoryMb: 1, diskGb: 0 }, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(32);
    expect(slotsOnNode(unset, { vcpus: 0, memoryMb: 1024, diskGb: 0 }, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(15);
    expect(fits(unset, { vcpus: 33, memoryMb: 0, diskGb: 0 }, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(false);
    expect(fits(unset, { vcpus: 33, memoryMb: 0, diskGb: 0 }, { cpu: 16, ram: 1.5, disk: 1 })).toBe(true);
  });

  it('counts slots and fits exactly as the model does', () => {
    const n = node({ vcpusUsed: 1, memoryMbUsed: 4096, localGbUsed: 150 });
    const want = { vcpus: 1, memoryMb: 2048, diskGb: 20 };
    expect(slotsOnNode(n, want, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(2);
    expect(fits(n, { ...want, diskGb: 50 }, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(true);
    expect(fits(n, { ...want, diskGb: 51 }, NOVA_INITIAL_ALLOCATION_RATIOS)).toBe(false);
    expect(nodeCapacity(n).diskGb.free).toBe(50);
  });
});

describe('the claim is the same test, decided by the database', () => {
  let dep: TestDeployment;
  let nodeId: number;
  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    const [row] = await dep.cells[0]!.handle.db.insert(computeNodes)
      .values({
        host: 'h',
        hypervisorHostname: 'h',
        vcpus: 1,
        memoryMb: 1,
        localGb: 1,
        vcpusUsed: 0,
        memoryMbUsed: 0,
        localGbUsed: 0,
        hypervisorType: 'QEMU',
        hypervisorVersion: 1,
        cpuInfo: '{}',
      })
      .returning({ id: computeNodes.id });
    nodeId = row!.id;
  });
  afterAll(async () => {
    await dep?.close();
  });

  it('for any node, flavor and initial ratios, the conditional UPDATE claims exactly when fits() says it fits', async () => {
    const ratio = fc.oneof(
      fc.constant(null),
      fc.constant(0),
      fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY),
      fc.constantFrom(1, 1.1, 1.2, 1.5, 2, 3.3, 4, 16),
      fc.double({ min: 0.1, max: 20, noNaN: true }),
    );
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
    const initialArb: fc.Arbitrary<AllocationRatios> = fc.oneof(
      fc.constant({ ...NOVA_INITIAL_ALLOCATION_RATIOS }),
      fc.constant({ cpu: 16, ram: 1.5, disk: 1 }),
      fc.record({
        cpu: fc.double({ min: 0.1, max: 20, noNaN: true }),
        ram: fc.double({ min: 0.1, max: 3, noNaN: true }),
        disk: fc.double({ min: 0.1, max: 3, noNaN: true }),
      }),
    );
    const needArb = fc.record({
      vcpus: fc.integer({ min: 0, max: 64 }),
      memoryMb: fc.integer({ min: 0, max: 300_000 }),
      diskGb: fc.integer({ min: 0, max: 3000 }),
    });
    // Half the cases sit on the edge: used = capacity − need + a small offset, where an off-by-one would show.
    const edge = fc
      .tuple(arb, needArb, initialArb, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }))
      .map(([n, need, initial, a, b, c]) => {
        const cap = nodeCapacity(n, initial);
        return [
          {
            ...n,
            vcpusUsed: Math.max(0, cap.vcpus.capacity - need.vcpus + a),
            memoryMbUsed: Math.max(0, cap.memoryMb.capacity - need.memoryMb + b),
            localGbUsed: Math.max(0, cap.diskGb.capacity - need.diskGb + c),
          },
          need,
          initial,
        ] as [NodeUsage, Need, AllocationRatios];
      });
    const cases = fc.oneof(fc.tuple(arb, needArb, initialArb) as fc.Arbitrary<[NodeUsage, Need, AllocationRatios]>, edge);
    const sql = dep.cells[0]!.handle.sql;
    await fc.assert(
      fc.asyncProperty(cases, async ([n, need, initial]) => {
        await sql`
          update compute_nodes set vcpus = ${n.vcpus}, memory_mb = ${n.memoryMb}, local_gb = ${n.localGb},
            vcpus_used = ${n.vcpusUsed}, memory_mb_used = ${n.memoryMbUsed}, local_gb_used = ${n.localGbUsed},
            cpu_allocation_ratio = ${n.cpuAllocationRatio}, ram_allocation_ratio = ${n.ramAllocationRatio},
            disk_allocation_ratio = ${n.diskAllocationRatio}
          where id = ${nodeId}`;
        const claimed = await claimOnNode(dep.cells[0]!.handle, nodeId, need, new Date(), initial);
        expect(claimed !== null).toBe(fits(n, need, initial));
        if (claimed) expect(claimed.vcpusUsed).toBe(n.vcpusUsed + need.vcpus);
      }),
      { numRuns: 300 },
    );
  });
});
