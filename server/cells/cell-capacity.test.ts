import { describe, expect, it } from 'vitest';
import type { ComputeNode } from '../boot/compute-nodes';
import { NOVA_INITIAL_ALLOCATION_RATIOS, nodeCapacity, sumCapacity } from '../nova/capacity';
import { cellCapacityFigures } from './cell-capacity';

const CELL = 'c0ffee00-0000-4000-8000-000000000001';
const OTHER = 'c0ffee00-0000-4000-8000-000000000002';
let nextId = 1;
const node = (host: string | null, o: Partial<ComputeNode> = {}): ComputeNode => ({
  id: nextId++,
  uuid: null,
  host,
  hypervisorHostname: host,
  vcpus: 16,
  memoryMb: 65536,
  localGb: 500,
  vcpusUsed: 4,
  memoryMbUsed: 8704,
  localGbUsed: 100,
  runningVms: 2,
  cpuAllocationRatio: null,
  ramAllocationRatio: null,
  diskAllocationRatio: null,
  status: 'schedulable',
  ...o,
});

describe("a cell's capacity figures: every node under nova's model, summed over all, schedulable and unmapped nodes", () => {
  const nodes = [
    node('up-mapped', { cpuAllocationRatio: 16, ramAllocationRatio: 1.5 }),
    node('up-mapped-2'),
    node('up-unmapped'),
    node('down', { status: 'service-down' }),
    node('off', { status: 'service-disabled' }),
    node('orphan', { status: 'no-service' }),
    node('elsewhere'),
    node(null),
  ];
  const hostCells = new Map([
    ['up-mapped', CELL],
    ['up-mapped-2', CELL],
    ['down', CELL],
    ['off', CELL],
    ['orphan', CELL],
    ['elsewhere', OTHER],
  ]);
  const { figures, nodes: placed } = cellCapacityFigures(nodes, CELL, hostCells, NOVA_INITIAL_ALLOCATION_RATIOS);

  it('places each node as the scheduler does: up, enabled and mapped here is schedulable; up and unmapped is apart', () => {
    expect(Object.fromEntries(placed.map((p) => [p.node.host ?? '(none)', p.placement]))).toEqual({
      'up-mapped': 'schedulable',
      'up-mapped-2': 'schedulable',
      'up-unmapped': 'unmapped',
      down: 'not-schedulable',
      off: 'not-schedulable',
      orphan: 'not-schedulable',
      elsewhere: 'not-schedulable',
      '(none)': 'not-schedulable',
    });
    expect(figures.nodes).toEqual({ total: 8, schedulable: 5, 'service-down': 1, 'service-disabled': 1, 'no-service': 1, unmapped: 2, mappedElsewhere: 1 });
  });

  it('each node with its own ratio or the initial one; totals are sums of the per-node figures', () => {
    const [a, b] = placed;
    expect(a!.capacity).toEqual(nodeCapacity(nodes[0]!, NOVA_INITIAL_ALLOCATION_RATIOS));
    expect(a!.capacity.vcpus).toMatchObject({ ratio: 16, ratioDefaulted: false, capacity: 256, free: 252 });
    expect(b!.capacity.vcpus).toMatchObject({ ratio: 4, ratioDefaulted: true, capacity: 64, free: 60 });
    expect(figures.schedulable).toEqual(sumCapacity([a!.capacity, b!.capacity]));
    expect(figures.schedulable.vcpus).toEqual({ total: 32, capacity: 256 + 64, used: 8, free: 252 + 60 });
    expect(figures.schedulable.memoryMb).toEqual({ total: 131072, capacity: 98304 + 65536, used: 2 * 8704, free: 98304 + 65536 - 2 * 8704 });
    expect(figures.unmapped).toEqual(sumCapacity([placed[2]!.capacity]));
    expect(figures.all).toEqual(sumCapacity(placed.map((p) => p.capacity)));
    expect(figures.all.nodes).toBe(8);
  });

  it('the initial ratios are the caller’s (CELLAR_INITIAL_*_ALLOCATION_RATIO)', () => {
    const r = cellCapacityFigures([node('up-mapped')], CELL, hostCells, { cpu: 16, ram: 1.5, disk: 1 });
    expect([r.figures.schedulable.vcpus.capacity, r.figures.schedulable.memoryMb.capacity]).toEqual([256, 98304]);
  });
});
