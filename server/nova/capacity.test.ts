import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/db/config';
import {
  fitsOnNode,
  flavorNeed,
  formatAmount,
  type Need,
  nodeCapacity,
  type NodeInventory,
  NOVA_INITIAL_ALLOCATION_RATIOS,
  resourceCapacity,
  RESOURCE_KINDS,
  slotsOnNode,
  storedRatio,
  sumCapacity,
} from './capacity';

const node = (o: Partial<NodeInventory> = {}): NodeInventory => ({
  vcpus: 32,
  memoryMb: 131072,
  localGb: 1000,
  vcpusUsed: 40,
  memoryMbUsed: 65536,
  localGbUsed: 250,
  cpuAllocationRatio: 16,
  ramAllocationRatio: 1.5,
  diskAllocationRatio: 1,
  ...o,
});

describe("nova's capacity model: capacity = floor((total − reserved) × ratio), free = capacity − used", () => {
  it('uses the ratios the node stores', () => {
    const c = nodeCapacity(node());
    expect(c.vcpus).toEqual({ total: 32, reserved: 0, ratio: 16, ratioDefaulted: false, capacity: 512, used: 40, free: 472 });
    expect(c.memoryMb).toEqual({ total: 131072, reserved: 0, ratio: 1.5, ratioDefaulted: false, capacity: 196608, used: 65536, free: 131072 });
    expect(c.diskGb).toEqual({ total: 1000, reserved: 0, ratio: 1, ratioDefaulted: false, capacity: 1000, used: 250, free: 750 });
  });

  it("where a node stores none (NULL, or 0.0 as computes before Stein wrote), nova's initial ratios: cpu 4.0, ram 1.0, disk 1.0", () => {
    expect(NOVA_INITIAL_ALLOCATION_RATIOS).toEqual({ cpu: 4, ram: 1, disk: 1 });
    const c = nodeCapacity(node({ cpuAllocationRatio: null, ramAllocationRatio: 0, diskAllocationRatio: null }));
    expect(c.vcpus).toMatchObject({ ratio: 4, ratioDefaulted: true, capacity: 128, free: 88 });
    expect(c.memoryMb).toMatchObject({ ratio: 1, ratioDefaulted: true, capacity: 131072, free: 65536 });
    expect(c.diskGb).toMatchObject({ ratio: 1, ratioDefaulted: true, capacity: 1000 });
    // A value placement would refuse (≤ 0, not finite) is no ratio either.
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(storedRatio(bad)).toBeNull();
    expect(storedRatio(0.5)).toBe(0.5);
  });

  it('the initial ratios are the configured ones, defaulting to nova’s', () => {
    const c = nodeCapacity(node({ cpuAllocationRatio: null, ramAllocationRatio: null }), { cpu: 16, ram: 1.5, disk: 1 });
    expect([c.vcpus.capacity, c.memoryMb.capacity]).toEqual([512, 196608]);

    const cfg = parseConfig({}, '/nonexistent');
    expect([cfg.CELLAR_INITIAL_CPU_ALLOCATION_RATIO, cfg.CELLAR_INITIAL_RAM_ALLOCATION_RATIO, cfg.CELLAR_INITIAL_DISK_ALLOCATION_RATIO]).toEqual([
      NOVA_INITIAL_ALLOCATION_RATIOS.cpu,
      NOVA_INITIAL_ALLOCATION_RATIOS.ram,
      NOVA_INITIAL_ALLOCATION_RATIOS.disk,
    ]);
    expect(parseConfig({ CELLAR_INITIAL_CPU_ALLOCATION_RATIO: '16.0', CELLAR_INITIAL_RAM_ALLOCATION_RATIO: '1.5' }, '/nonexistent')).toMatchObject({
      CELLAR_INITIAL_CPU_ALLOCATION_RATIO: 16,
      CELLAR_INITIAL_RAM_ALLOCATION_RATIO: 1.5,
    });
    for (const bad of ['0', '-1', 'lots'])
      expect(() => parseConfig({ CELLAR_INITIAL_CPU_ALLOCATION_RATIO: bad }, '/nonexistent')).toThrow(/^CELLAR_INITIAL_CPU_ALLOCATION_RATIO: /);
  });

  it("reserved is taken before the ratio, as placement's inventory: (total − reserved) × ratio", () => {
    // reserved_host_memory_mb = 512 on a 16 GiB host at ram ratio 1.5: placement's capacity is (16384 − 512) × 1.5.
    expect(resourceCapacity({ total: 16384, reserved: 512, ratio: 1.5, initialRatio: 1, used: 2048 })).toEqual({
      total: 16384,
      reserved: 512,
      ratio: 1.5,
      ratioDefaulted: false,
      capacity: 23808,
      used: 2048,
      free: 21760,
    });
    const c = nodeCapacity(node({ vcpus: 8, vcpusUsed: 0 }), NOVA_INITIAL_ALLOCATION_RATIOS, { vcpus: 2, memoryMb: 0, diskGb: 10 });
    expect([c.vcpus.capacity, c.diskGb.capacity]).toEqual([96, 990]);
    // Reserved beyond the total leaves nothing, never a negative capacity.
    expect(resourceCapacity({ total: 4, reserved: 8, ratio: 2, initialRatio: 1, used: 0 }).capacity).toBe(0);
    // A compute_nodes row counts nova's reserved_host_memory_mb in memory_mb_used (the resource tracker does):
    // read with no reserved, at ratio 1.0 (nova's default) it is exactly placement's figure.
    const row = resourceCapacity({ total: 16384, ratio: 1, initialRatio: 1, used: 512 + 2048 });
    const placement = resourceCapacity({ total: 16384, reserved: 512, ratio: 1, initialRatio: 1, used: 2048 });
    expect(row.free).toBe(placement.free);
  });

  it('floors once per node, as an integer inventory: never a fraction, never float noise', () => {
    expect(nodeCapacity(node({ vcpus: 64, cpuAllocationRatio: 1.1, vcpusUsed: 0 })).vcpus.capacity).toBe(70); // 70.4
    expect(nodeCapacity(node({ vcpus: 3, cpuAllocationRatio: 1.1, vcpusUsed: 0 })).vcpus.capacity).toBe(3); // 3.3000000000000003
    expect(nodeCapacity(node({ memoryMb: 1001, ramAllocationRatio: 1.5, memoryMbUsed: 0 })).memoryMb.capacity).toBe(1501); // 1501.5
    // A cell's totals are sums of floored nodes, not a ratio applied to a sum: 2 × floor(3 × 1.5) = 8, not floor(6 × 1.5) = 9.
    const half = node({ vcpus: 3, vcpusUsed: 0, cpuAllocationRatio: 1.5 });
    expect(sumCapacity([nodeCapacity(half), nodeCapacity(half)]).vcpus).toEqual({ total: 6, capacity: 8, used: 0, free: 8 });
  });

  it('an overcommitted node (a ratio lowered under its use) shows negative free, adds no room to a sum and fits nothing', () => {
    const over = nodeCapacity(node({ vcpus: 8, vcpusUsed: 40, cpuAllocationRatio: 1 }));
    expect(over.vcpus.free).toBe(-32);
    expect(slotsOnNode(over, { vcpus: 1, memoryMb: 1, diskGb: 0 })).toBe(0);
    const ok = nodeCapacity(node({ vcpus: 8, vcpusUsed: 2, cpuAllocationRatio: 4 }));
    const totals = sumCapacity([over, ok]);
    expect(totals.nodes).toBe(2);
    expect(totals.vcpus).toEqual({ total: 16, capacity: 8 + 32, used: 42, free: 30 });
    expect(sumCapacity([])).toEqual({
      nodes: 0,
      vcpus: { total: 0, capacity: 0, used: 0, free: 0 },
      memoryMb: { total: 0, capacity: 0, used: 0, free: 0 },
      diskGb: { total: 0, capacity: 0, used: 0, free: 0 },
    });
  });

  it('flavor slots: per node the smallest floor(free / need) over what the flavor asks for', () => {
    const c = nodeCapacity(
      node({
        vcpus: 8,
        memoryMb: 16384,
        localGb: 200,
        vcpusUsed: 1,
        memoryMbUsed: 4096,
        localGbUsed: 150,
        cpuAllocationRatio: 1,
        ramAllocationRatio: 1,
        diskAllocationRatio: 1,
      }),
    );
    // free: 7 vCPUs, 12288 MiB, 50 GB → 7, 6, 2
    expect(slotsOnNode(c, { vcpus: 1, memoryMb: 2048, diskGb: 20 })).toBe(2);
    expect(slotsOnNode(c, { vcpus: 1, memoryMb: 2048, diskGb: 0 })).toBe(6);
    expect(fitsOnNode(c, { vcpus: 1, memoryMb: 2048, diskGb: 50 })).toBe(true);
    expect(fitsOnNode(c, { vcpus: 1, memoryMb: 2048, diskGb: 51 })).toBe(false);
    // A flavor that asks for nothing fits nowhere (nova refuses such flavors).
    expect(slotsOnNode(c, { vcpus: 0, memoryMb: 0, diskGb: 0 })).toBe(0);
  });

  it("takes disk as nova's resources_from_flavor: root + ephemeral + swap rounded up to GB, no root for boot-from-volume", () => {
    const f = { vcpus: 2, memoryMb: 4096, rootGb: 40, ephemeralGb: 10, swap: 1536 };
    expect(flavorNeed(f)).toEqual({ vcpus: 2, memoryMb: 4096, diskGb: 52 });
    expect(flavorNeed(f, { bootFromVolume: true })).toEqual({ vcpus: 2, memoryMb: 4096, diskGb: 12 });
    expect(flavorNeed({ vcpus: 1, memoryMb: 512, rootGb: null, ephemeralGb: null, swap: null }).diskGb).toBe(0);
  });

  it('one unit per resource on every page: vCPUs, MiB, GB', () => {
    expect(formatAmount('vcpus', 5500)).toBe('5,500 vCPUs');
    expect(formatAmount('vcpus', 1)).toBe('1 vCPU');
    expect(formatAmount('memoryMb', 2048)).toBe('2,048 MiB');
    expect(formatAmount('diskGb', 20)).toBe('20 GB');
  });
});

describe('properties', () => {
  const ratio = fc.oneof(fc.constant(null), fc.constant(0), fc.constantFrom(1, 1.1, 1.5, 2, 3.3, 4, 16), fc.double({ min: 0.01, max: 40, noNaN: true }));
  const inventory: fc.Arbitrary<NodeInventory> = fc.record({
    vcpus: fc.integer({ min: 0, max: 512 }),
    memoryMb: fc.integer({ min: 0, max: 4_000_000 }),
    localGb: fc.integer({ min: 0, max: 100_000 }),
    vcpusUsed: fc.integer({ min: 0, max: 4000 }),
    memoryMbUsed: fc.integer({ min: 0, max: 6_000_000 }),
    localGbUsed: fc.integer({ min: 0, max: 150_000 }),
    cpuAllocationRatio: ratio,
    ramAllocationRatio: ratio,
    diskAllocationRatio: ratio,
  });
  const initial = fc.record({
    cpu: fc.double({ min: 0.1, max: 32, noNaN: true }),
    ram: fc.double({ min: 0.1, max: 4, noNaN: true }),
    disk: fc.double({ min: 0.1, max: 4, noNaN: true }),
  });
  const reserved = fc.record({ vcpus: fc.integer({ min: 0, max: 8 }), memoryMb: fc.integer({ min: 0, max: 16384 }), diskGb: fc.integer({ min: 0, max: 100 }) });
  const need: fc.Arbitrary<Need> = fc.record({
    vcpus: fc.integer({ min: 0, max: 64 }),
    memoryMb: fc.integer({ min: 0, max: 262_144 }),
    diskGb: fc.integer({ min: 0, max: 2000 }),
  });

  it('free never exceeds total × ratio; capacity and free are whole numbers', () => {
    fc.assert(
      fc.property(inventory, initial, reserved, (n, init, res) => {
        const c = nodeCapacity(n, init, res);
        for (const k of RESOURCE_KINDS) {
          const r = c[k];
          expect(Number.isInteger(r.capacity) && Number.isInteger(r.free)).toBe(true);
          expect(r.capacity).toBeGreaterThanOrEqual(0);
          expect(r.free).toBeLessThanOrEqual(r.total * r.ratio);
          expect(r.capacity).toBeLessThanOrEqual(Math.max(0, (r.total - r.reserved) * r.ratio));
          expect(r.capacity + 1).toBeGreaterThan((r.total - r.reserved) * r.ratio);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a flavor counted to fit does fit: the counted slots placed never overrun capacity, and then no more fits', () => {
    fc.assert(
      fc.property(inventory, initial, need, (n0, init, want) => {
        const placed = (k: number): NodeInventory => ({
          ...n0,
          vcpusUsed: n0.vcpusUsed + k * want.vcpus,
          memoryMbUsed: n0.memoryMbUsed + k * want.memoryMb,
          localGbUsed: n0.localGbUsed + k * want.diskGb,
        });
        const slots = slotsOnNode(nodeCapacity(n0, init), want);
        // Each counted slot fits when its turn comes (the last one on what the others left) …
        for (const k of new Set([0, Math.floor(slots / 2), slots - 1]))
          if (k >= 0 && k < slots) expect(fitsOnNode(nodeCapacity(placed(k), init), want)).toBe(true);
        // … all of them together stay within capacity, and one more does not fit.
        const full = nodeCapacity(placed(slots), init);
        if (slots > 0) for (const k of RESOURCE_KINDS) if (want[k] > 0) expect(full[k].used).toBeLessThanOrEqual(full[k].capacity);
        expect(fitsOnNode(full, want)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
