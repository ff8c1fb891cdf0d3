import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOCATION_RATIOS, nodeCapacity, sumCapacity } from './cell-capacity';

const node = (over: Partial<Parameters<typeof nodeCapacity>[0]> = {}) =>
  nodeCapacity({
    vcpus: 32,
    vcpusUsed: 40,
    memoryMb: 131072,
    memoryMbUsed: 65536,
    localGb: 1000,
    localGbUsed: 250,
    cpuAllocationRatio: 16,
    ramAllocationRatio: 1.5,
    diskAllocationRatio: 1,
    ...over,
  });

describe('capacity: free = total × allocation ratio − used', () => {
  it('per node, with the node\'s own ratios', () => {
    const c = node();
    expect(c.vcpus).toEqual({ total: 32, ratio: 16, ratioDefaulted: false, capacity: 512, used: 40, free: 472 });
    expect(c.memoryMb).toEqual({ total: 131072, ratio: 1.5, ratioDefaulted: false, capacity: 196608, used: 65536, free: 131072 });
    expect(c.diskGb).toEqual({ total: 1000, ratio: 1, ratioDefaulted: false, capacity: 1000, used: 250, free: 750 });
  });

  it("a NULL or 0.0 ratio takes nova's initial allocation ratio, and says so", () => {
    const c = node({ cpuAllocationRatio: null, ramAllocationRatio: 0, diskAllocationRatio: null });
    expect(c.vcpus).toMatchObject({ ratio: DEFAULT_ALLOCATION_RATIOS.cpu, ratioDefaulted: true, capacity: 128, free: 88 });
    expect(c.memoryMb).toMatchObject({ ratio: 1, ratioDefaulted: true, free: 65536 });
  });

  it('goes negative when a node is used beyond its ratio, and has no float noise', () => {
    expect(node({ vcpus: 4, vcpusUsed: 10, cpuAllocationRatio: 2 }).vcpus.free).toBe(-2);
    expect(node({ vcpus: 64, cpuAllocationRatio: 1.1, vcpusUsed: 0 }).vcpus.capacity).toBe(70.4);
  });

  it('sums each node with its own ratio', () => {
    const totals = sumCapacity([node(), node({ vcpus: 8, vcpusUsed: 2, cpuAllocationRatio: 4 })]);
    expect(totals.nodes).toBe(2);
    expect(totals.vcpus).toEqual({ total: 40, capacity: 512 + 32, used: 42, free: 472 + 30 });
    expect(sumCapacity([])).toEqual({
      nodes: 0,
      vcpus: { total: 0, capacity: 0, used: 0, free: 0 },
      memoryMb: { total: 0, capacity: 0, used: 0, free: 0 },
      diskGb: { total: 0, capacity: 0, used: 0, free: 0 },
    });
  });
});
