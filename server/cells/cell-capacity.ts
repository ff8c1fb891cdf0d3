/**
 * A cell's capacity figures, for the cells page (boot.capacity) and a cell's page
 * (cells.detail) alike: its live compute nodes as the scheduler reads them
 * (boot/compute-nodes.ts), each under nova's capacity model (nova/capacity.ts), summed
 * over three sets of nodes:
 * - all: every live compute node of the cell;
 * - schedulable: where the scheduler places new instances — nova-compute up and
 *   enabled (nova's ComputeFilter) and the host mapped to this cell;
 * - unmapped: up and enabled but the host has no host mapping yet: the scheduler may
 *   pick it, and the boot ends in cell0 until discover_hosts maps the host.
 * A host mapped to another cell (a broken deployment, cells-v2.md §9.4) is in `all` only.
 */
import { type ComputeNode, hostMapState, type NodeStatus } from '../boot/compute-nodes';
import { type AllocationRatios, type CapacityTotals, nodeCapacity, type NodeCapacity, sumCapacity } from '../nova/capacity';

export type { CapacityTotals, NodeCapacity, Resource, ResourceTotals } from '../nova/capacity';

export type NodeCounts = Record<NodeStatus, number> & { total: number; unmapped: number; mappedElsewhere: number };

/** Where a node stands for new instances, as the scheduler sees it. */
export type NodePlacement = 'schedulable' | 'unmapped' | 'not-schedulable';

export interface CellCapacityFigures {
  nodes: NodeCounts;
  all: CapacityTotals;
  schedulable: CapacityTotals;
  unmapped: CapacityTotals;
}

export interface PlacedNode {
  node: ComputeNode;
  capacity: NodeCapacity;
  placement: NodePlacement;
}

/** Classify and sum a cell's nodes. `hostCells`: host → uuid of the cell its host mapping names. */
export function cellCapacityFigures(
  nodes: readonly ComputeNode[],
  cellUuid: string,
  hostCells: Map<string, string>,
  initial: AllocationRatios,
): { figures: CellCapacityFigures; nodes: PlacedNode[] } {
  const counts: NodeCounts = {
    total: nodes.length,
    schedulable: 0,
    'service-down': 0,
    'service-disabled': 0,
    'no-service': 0,
    unmapped: 0,
    mappedElsewhere: 0,
  };
  const placed = nodes.map((node): PlacedNode => {
    counts[node.status]++;
    const mapState = hostMapState(hostCells, node.host, cellUuid);
    if (mapState === 'unmapped') counts.unmapped++;
    if (mapState === 'mapped-elsewhere') counts.mappedElsewhere++;
    const candidate = node.status === 'schedulable' && Boolean(node.host) && Boolean(node.hypervisorHostname);
    const placement: NodePlacement = !candidate
      ? 'not-schedulable'
      : mapState === 'mapped'
        ? 'schedulable'
        : mapState === 'unmapped'
          ? 'unmapped'
          : 'not-schedulable';
    return { node, capacity: nodeCapacity(node, initial), placement };
  });
  const sum = (which?: NodePlacement) => sumCapacity(placed.filter((p) => which === undefined || p.placement === which).map((p) => p.capacity));
  return { figures: { nodes: counts, all: sum(), schedulable: sum('schedulable'), unmapped: sum('unmapped') }, nodes: placed };
}
