/**
 * The scheduler's fit function: does a flavor fit on a compute node, and how many times.
 * One definition serves the scheduler (which node gets the instance), the claim (the
 * conditional UPDATE that takes the capacity, `fitsCondition`) and the capacity report
 * (flavor slots), so the figures a person reads are the ones the scheduler acts on.
 *
 * Capacity of a resource = floor(total × allocation ratio); free = capacity − used.
 * nova reads a NULL (or 0.0, from computes older than Stein) ratio as the configured
 * initial ratio: cpu 16.0, ram 1.5, disk 1.0 (nova/objects/compute_node.py).
 */
import type postgres from 'postgres';

export const DEFAULT_ALLOCATION_RATIOS = { cpu: 16.0, ram: 1.5, disk: 1.0 } as const;

/** What the fit function reads of a compute_nodes row. */
export interface NodeUsage {
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

/** What one instance of a flavor takes from a node. */
export interface Need {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

export interface Resources {
  vcpus: number;
  memoryMb: number;
  localGb: number;
}

function ratio(value: number | null | undefined, fallback: number): number {
  return value === null || value === undefined || value === 0 || !Number.isFinite(value) ? fallback : value;
}

export function effectiveRatios(n: Pick<NodeUsage, 'cpuAllocationRatio' | 'ramAllocationRatio' | 'diskAllocationRatio'>) {
  return {
    cpu: ratio(n.cpuAllocationRatio, DEFAULT_ALLOCATION_RATIOS.cpu),
    ram: ratio(n.ramAllocationRatio, DEFAULT_ALLOCATION_RATIOS.ram),
    disk: ratio(n.diskAllocationRatio, DEFAULT_ALLOCATION_RATIOS.disk),
  };
}

/** floor(total × ratio) per resource: what the node may hand out in all. */
export function nodeCapacity(n: NodeUsage): Resources {
  const r = effectiveRatios(n);
  return {
    vcpus: Math.floor(n.vcpus * r.cpu),
    memoryMb: Math.floor(n.memoryMb * r.ram),
    localGb: Math.floor(n.localGb * r.disk),
  };
}

/** Capacity − used, never below 0 (a lowered ratio can leave a node overcommitted). */
export function nodeFree(n: NodeUsage): Resources {
  const cap = nodeCapacity(n);
  return {
    vcpus: Math.max(0, cap.vcpus - n.vcpusUsed),
    memoryMb: Math.max(0, cap.memoryMb - n.memoryMbUsed),
    localGb: Math.max(0, cap.localGb - n.localGbUsed),
  };
}

/**
 * How many more instances needing `need` fit on the node: per resource
 * floor(free / need), the smallest of them. A resource the flavor does not ask for does
 * not limit it; a flavor that asks for nothing at all (nova's API refuses such flavors)
 * fits nowhere, so it never reaches a claim.
 */
export function slotsOnNode(n: NodeUsage, need: Need): number {
  const free = nodeFree(n);
  const limits: number[] = [];
  if (need.vcpus > 0) limits.push(Math.floor(free.vcpus / need.vcpus));
  if (need.memoryMb > 0) limits.push(Math.floor(free.memoryMb / need.memoryMb));
  if (need.diskGb > 0) limits.push(Math.floor(free.localGb / need.diskGb));
  return limits.length === 0 ? 0 : Math.min(...limits);
}

export function fits(n: NodeUsage, need: Need): boolean {
  return slotsOnNode(n, need) >= 1;
}

/**
 * The same test as `fits`, as SQL over a compute_nodes row, for the atomic claim:
 * UPDATE … WHERE id = $id AND <this> — the database decides, so two schedulers can
 * never both take the last slot.
 */
export function fitsCondition(sql: postgres.Sql, need: Need): postgres.PendingQuery<postgres.Row[]> {
  const { cpu, ram, disk } = DEFAULT_ALLOCATION_RATIOS;
  return sql`(
    (${need.vcpus}::int > 0 or ${need.memoryMb}::int > 0 or ${need.diskGb}::int > 0)
    and (${need.vcpus}::int = 0
      or vcpus_used + ${need.vcpus}::int <= floor(vcpus * coalesce(nullif(cpu_allocation_ratio, 0), ${cpu}::float8)))
    and (${need.memoryMb}::int = 0
      or memory_mb_used + ${need.memoryMb}::int <= floor(memory_mb * coalesce(nullif(ram_allocation_ratio, 0), ${ram}::float8)))
    and (${need.diskGb}::int = 0
      or local_gb_used + ${need.diskGb}::int <= floor(local_gb * coalesce(nullif(disk_allocation_ratio, 0), ${disk}::float8)))
  )`;
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
