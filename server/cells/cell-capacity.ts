/**
 * Capacity of compute nodes as the scheduler sees it: what a resource can hold is its
 * total times its allocation ratio, so free = total × ratio − used (negative when a
 * node is overcommitted beyond its ratio).
 */

/**
 * nova's [DEFAULT]initial_{cpu,ram,disk}_allocation_ratio (Stein+). A compute node row
 * with a NULL or 0.0 ratio gets these, as nova's ComputeNode object does.
 */
export const DEFAULT_ALLOCATION_RATIOS = { cpu: 4.0, ram: 1.0, disk: 1.0 } as const;

export interface NodeResources {
  vcpus: number;
  vcpusUsed: number;
  memoryMb: number;
  memoryMbUsed: number;
  localGb: number;
  localGbUsed: number;
  cpuAllocationRatio: number | null;
  ramAllocationRatio: number | null;
  diskAllocationRatio: number | null;
}

export interface Resource {
  total: number;
  ratio: number;
  /** The ratio came from nova's default because the row has none. */
  ratioDefaulted: boolean;
  /** total × ratio */
  capacity: number;
  used: number;
  /** total × ratio − used */
  free: number;
}

export interface NodeCapacity {
  vcpus: Resource;
  memoryMb: Resource;
  diskGb: Resource;
}

export interface ResourceTotals {
  total: number;
  capacity: number;
  used: number;
  free: number;
}

export interface CapacityTotals {
  nodes: number;
  vcpus: ResourceTotals;
  memoryMb: ResourceTotals;
  diskGb: ResourceTotals;
}

/** Ratios like 1.5 make float noise (64 × 1.1 = 70.4000…01); three decimals are plenty. */
const tidy = (n: number) => Math.round(n * 1000) / 1000;

function resource(total: number, used: number, ratio: number | null, fallback: number): Resource {
  const ratioDefaulted = ratio === null || ratio === 0;
  const r = ratioDefaulted ? fallback : ratio;
  const capacity = tidy(total * r);
  return { total, ratio: r, ratioDefaulted, capacity, used, free: tidy(capacity - used) };
}

export function nodeCapacity(n: NodeResources): NodeCapacity {
  return {
    vcpus: resource(n.vcpus, n.vcpusUsed, n.cpuAllocationRatio, DEFAULT_ALLOCATION_RATIOS.cpu),
    memoryMb: resource(n.memoryMb, n.memoryMbUsed, n.ramAllocationRatio, DEFAULT_ALLOCATION_RATIOS.ram),
    diskGb: resource(n.localGb, n.localGbUsed, n.diskAllocationRatio, DEFAULT_ALLOCATION_RATIOS.disk),
  };
}

function sum(rs: Resource[]): ResourceTotals {
  return {
    total: rs.reduce((a, r) => a + r.total, 0),
    capacity: tidy(rs.reduce((a, r) => a + r.capacity, 0)),
    used: rs.reduce((a, r) => a + r.used, 0),
    free: tidy(rs.reduce((a, r) => a + r.free, 0)),
  };
}

/** The cell's totals: each node's figures with its own ratio, summed. */
export function sumCapacity(nodes: NodeCapacity[]): CapacityTotals {
  return {
    nodes: nodes.length,
    vcpus: sum(nodes.map((n) => n.vcpus)),
    memoryMb: sum(nodes.map((n) => n.memoryMb)),
    diskGb: sum(nodes.map((n) => n.diskGb)),
  };
}
