/**
 * nova's capacity model, written once. Every figure Cellar shows or acts on — the
 * scheduler's fit and its atomic claim, the cells page, a cell's page, flavor slots —
 * comes from these functions, so they cannot disagree. Browser-safe: pure functions,
 * types and constants, no database, no configuration and no 'server-only' — pages import
 * it (formatAmount, the resource names) as well as the server.
 *
 * Per compute node and per resource (vCPU, RAM in MiB, disk in GB as nova's local_gb):
 *
 *     capacity = floor((total − reserved) × allocation ratio)     placement's inventory
 *     free     = capacity − used                                   (negative: overcommitted)
 *
 * - The ratio is the one the node stores (compute_nodes.cpu/ram/disk_allocation_ratio).
 *   nova reads NULL and 0.0 as "none stored" and then uses the configured initial ratio
 *   (nova/objects/compute_node.py::_from_db_object, [DEFAULT]initial_*_allocation_ratio);
 *   Cellar does the same, and also for a negative or non-finite value, which placement
 *   would refuse (its allocation_ratio must be > 0).
 * - Reserved: placement's inventory is (total − reserved) × ratio, with reserved from
 *   [DEFAULT]reserved_host_cpus / reserved_host_memory_mb / reserved_host_disk_mb
 *   (rounded up to GB). nova's resource tracker writes those reserved amounts *into*
 *   compute_nodes.*_used (resource_tracker.py::_update_usage_from_instances), so a
 *   compute_nodes row already counts them as used: its readers pass no reserved. (The
 *   two rules agree exactly where the ratio is 1.0, nova's RAM and disk default; with
 *   RAM ratio r the row's rule counts reserved memory once rather than r times.)
 * - Rounding: floor per node, once, as placement's integer check does (used + request ≤
 *   capacity with integer amounts is the same test as ≤ floor(capacity)). Cell totals
 *   are sums of per-node figures, never a ratio applied to a sum.
 * - Slots: how many more instances of a flavor fit on a node, per resource the flavor
 *   asks for floor(max(0, free) / need), the smallest of them; summed over nodes.
 */

export type ResourceKind = 'vcpus' | 'memoryMb' | 'diskGb';
export const RESOURCE_KINDS: readonly ResourceKind[] = ['vcpus', 'memoryMb', 'diskGb'];

export interface AllocationRatios {
  cpu: number;
  ram: number;
  disk: number;
}

/**
 * nova's current defaults of [DEFAULT]initial_cpu_allocation_ratio / initial_ram_… /
 * initial_disk_…, the ratios its resource tracker writes on a new compute node and reads
 * for a node that stores none. (nova 26 Zed, Debian 12's python3-nova, still has
 * 16.0 / 1.5 / 1.0: set CELLAR_INITIAL_*_ALLOCATION_RATIO to match such a deployment.)
 */
export const NOVA_INITIAL_ALLOCATION_RATIOS: Readonly<AllocationRatios> = Object.freeze({ cpu: 4.0, ram: 1.0, disk: 1.0 });

/** What the model reads of a compute_nodes row (nova's columns). */
export interface NodeInventory {
  vcpus: number;
  memoryMb: number;
  localGb: number;
  vcpusUsed: number;
  memoryMbUsed: number;
  localGbUsed: number;
  cpuAllocationRatio: number | null;
  ramAllocationRatio: number | null;
  diskAllocationRatio: number | null;
}

/** A compute_nodes row's inventory columns as raw SQL returns them: one row type for every reader. */
export interface ComputeNodeInventoryRow {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  cpu_allocation_ratio: number | null;
  ram_allocation_ratio: number | null;
  disk_allocation_ratio: number | null;
}

export function inventoryFromRow(r: ComputeNodeInventoryRow): NodeInventory {
  return {
    vcpus: r.vcpus,
    memoryMb: r.memory_mb,
    localGb: r.local_gb,
    vcpusUsed: r.vcpus_used,
    memoryMbUsed: r.memory_mb_used,
    localGbUsed: r.local_gb_used,
    cpuAllocationRatio: r.cpu_allocation_ratio,
    ramAllocationRatio: r.ram_allocation_ratio,
    diskAllocationRatio: r.disk_allocation_ratio,
  };
}

/** Placement's reserved amounts per resource. compute_nodes rows count them in *_used already: pass none for them. */
export interface Reserved {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}
export const NO_RESERVED: Readonly<Reserved> = Object.freeze({ vcpus: 0, memoryMb: 0, diskGb: 0 });

/** One resource of one node. */
export interface Resource {
  total: number;
  reserved: number;
  /** The ratio in effect: the node's own, or the initial ratio when it stores none. */
  ratio: number;
  /** The node stores no usable ratio (NULL or 0.0): the initial ratio applies. */
  ratioDefaulted: boolean;
  /** floor((total − reserved) × ratio), never below 0. */
  capacity: number;
  used: number;
  /** capacity − used; negative when the node holds more than its ratio allows now (a ratio was lowered). */
  free: number;
}

export type NodeCapacity = Record<ResourceKind, Resource>;

/** What one instance of a flavor takes from a node. */
export interface Need {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

/** A ratio a node stores and nova would use, or null when it stores none (NULL, 0.0, or nothing placement would accept). */
export function storedRatio(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

export function resourceCapacity(r: { total: number; used: number; ratio: number | null | undefined; initialRatio: number; reserved?: number }): Resource {
  const stored = storedRatio(r.ratio);
  const ratio = stored ?? r.initialRatio;
  const reserved = r.reserved ?? 0;
  const capacity = Math.max(0, Math.floor((r.total - reserved) * ratio));
  return { total: r.total, reserved, ratio, ratioDefaulted: stored === null, capacity, used: r.used, free: capacity - r.used };
}

/** A node's three resources under nova's model. */
export function nodeCapacity(n: NodeInventory, initial: AllocationRatios = NOVA_INITIAL_ALLOCATION_RATIOS, reserved: Reserved = NO_RESERVED): NodeCapacity {
  return {
    vcpus: resourceCapacity({ total: n.vcpus, used: n.vcpusUsed, ratio: n.cpuAllocationRatio, initialRatio: initial.cpu, reserved: reserved.vcpus }),
    memoryMb: resourceCapacity({
      total: n.memoryMb,
      used: n.memoryMbUsed,
      ratio: n.ramAllocationRatio,
      initialRatio: initial.ram,
      reserved: reserved.memoryMb,
    }),
    diskGb: resourceCapacity({ total: n.localGb, used: n.localGbUsed, ratio: n.diskAllocationRatio, initialRatio: initial.disk, reserved: reserved.diskGb }),
  };
}

/** What can still be handed out: free, an overcommitted resource counting 0. */
export function room(r: Resource): number {
  return Math.max(0, r.free);
}

/**
 * How many more instances needing `need` fit on the node: per resource the flavor asks
 * for, floor(room / need), the smallest of them. A flavor that asks for nothing at all
 * (nova's API refuses such flavors) fits nowhere, so it never reaches a claim.
 */
export function slotsOnNode(cap: NodeCapacity, need: Need): number {
  let slots = Number.POSITIVE_INFINITY;
  for (const k of RESOURCE_KINDS) if (need[k] > 0) slots = Math.min(slots, Math.floor(room(cap[k]) / need[k]));
  return slots === Number.POSITIVE_INFINITY ? 0 : slots;
}

export function fitsOnNode(cap: NodeCapacity, need: Need): boolean {
  return slotsOnNode(cap, need) >= 1;
}

export interface FlavorSize {
  vcpus: number;
  memoryMb: number;
  rootGb: number | null;
  ephemeralGb: number | null;
  swap: number | null;
}

/**
 * What an instance of the flavor takes, as nova's resources_from_flavor counts it:
 * DISK_GB = root (not for boot-from-volume) + ephemeral + swap rounded up to whole GB.
 */
export function flavorNeed(f: FlavorSize, opts: { bootFromVolume?: boolean } = {}): Need {
  const pos = (v: number | null | undefined) => Math.max(0, Math.trunc(v ?? 0));
  return {
    vcpus: pos(f.vcpus),
    memoryMb: pos(f.memoryMb),
    diskGb: (opts.bootFromVolume ? 0 : pos(f.rootGb)) + pos(f.ephemeralGb) + Math.ceil(pos(f.swap) / 1024),
  };
}

/** One resource summed over nodes. */
export interface ResourceTotals {
  total: number;
  /** Σ per-node capacity (each node floored with its own ratio). */
  capacity: number;
  used: number;
  /** Σ per-node room: an overcommitted node adds 0, never takes from the others. */
  free: number;
}

export interface CapacityTotals {
  nodes: number;
  vcpus: ResourceTotals;
  memoryMb: ResourceTotals;
  diskGb: ResourceTotals;
}

function sumResource(rs: readonly Resource[]): ResourceTotals {
  const t: ResourceTotals = { total: 0, capacity: 0, used: 0, free: 0 };
  for (const r of rs) {
    t.total += r.total;
    t.capacity += r.capacity;
    t.used += r.used;
    t.free += room(r);
  }
  return t;
}

/** A set of nodes' figures: each node's own, summed. */
export function sumCapacity(nodes: readonly NodeCapacity[]): CapacityTotals {
  return {
    nodes: nodes.length,
    vcpus: sumResource(nodes.map((n) => n.vcpus)),
    memoryMb: sumResource(nodes.map((n) => n.memoryMb)),
    diskGb: sumResource(nodes.map((n) => n.diskGb)),
  };
}

/** The units pages print, one per resource: vCPUs as counts, RAM in MiB (nova's memory_mb), disk in GB (nova's local_gb). */
export const RESOURCE_UNITS: Readonly<Record<ResourceKind, string>> = Object.freeze({ vcpus: 'vCPUs', memoryMb: 'MiB', diskGb: 'GB' });
export const RESOURCE_NAMES: Readonly<Record<ResourceKind, string>> = Object.freeze({ vcpus: 'vCPUs', memoryMb: 'RAM', diskGb: 'Disk' });

const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** An amount as every page prints it: "5,500 vCPUs", "2,048 MiB", "20 GB". */
export function formatAmount(kind: ResourceKind, value: number): string {
  if (kind === 'vcpus' && value === 1) return '1 vCPU';
  return `${whole.format(value)} ${RESOURCE_UNITS[kind]}`;
}
