/**
 * The scheduler's fit: nova's capacity model (server/nova/capacity.ts) applied to the
 * compute nodes the scheduler reads, with the initial allocation ratios Cellar is
 * configured with, and the same test as SQL for the atomic claim (`fitsCondition`), so
 * what a person reads on the pages is what the scheduler acts on.
 */
import type postgres from 'postgres';
import { config } from '@/db/config';
import type { Deps } from '../deps';
import {
  type AllocationRatios,
  fitsOnNode,
  type Need,
  nodeCapacity,
  type NodeCapacity,
  type NodeInventory,
  slotsOnNode as slotsOnCapacity,
} from '../nova/capacity';

export { type FlavorSize, flavorNeed, type Need } from '../nova/capacity';

/** What the fit function reads of a compute_nodes row. */
export type NodeUsage = NodeInventory;

/**
 * Where the initial allocation ratios come from: the caller's (a test's) when it gives
 * them, else CELLAR_INITIAL_*_ALLOCATION_RATIO (nova's initial_*_allocation_ratio).
 */
export interface CapacityOptions {
  initialAllocationRatios?: AllocationRatios;
}

export function initialAllocationRatios(opts: Partial<Deps> & CapacityOptions = {}): AllocationRatios {
  if (opts.initialAllocationRatios) return opts.initialAllocationRatios;
  const c = config();
  return { cpu: c.CELLAR_INITIAL_CPU_ALLOCATION_RATIO, ram: c.CELLAR_INITIAL_RAM_ALLOCATION_RATIO, disk: c.CELLAR_INITIAL_DISK_ALLOCATION_RATIO };
}

/** The node's figures as the scheduler sees them (a compute_nodes row: reserved is in its *_used). */
export function nodeFigures(n: NodeUsage, initial: AllocationRatios): NodeCapacity {
  return nodeCapacity(n, initial);
}

export function slotsOnNode(n: NodeUsage, need: Need, initial: AllocationRatios): number {
  return slotsOnCapacity(nodeCapacity(n, initial), need);
}

export function fits(n: NodeUsage, need: Need, initial: AllocationRatios): boolean {
  return fitsOnNode(nodeCapacity(n, initial), need);
}

/**
 * The same test as `fits`, as SQL over a compute_nodes row, for the atomic claim:
 * UPDATE … WHERE id = $id AND <this> — the database decides, so two schedulers can
 * never both take the last slot. Same arithmetic as the model: the stored ratio when it
 * is a usable one (> 0, finite) else the initial ratio, the float8 product floored, never
 * below 0; used + need ≤ that.
 */
export function fitsCondition(sql: postgres.Sql, need: Need, initial: AllocationRatios): postgres.PendingQuery<postgres.Row[]> {
  const ratio = (column: 'cpu_allocation_ratio' | 'ram_allocation_ratio' | 'disk_allocation_ratio', fallback: number) =>
    sql`(case when ${sql(column)} > 0 and ${sql(column)} < 'Infinity'::float8 then ${sql(column)} else ${fallback}::float8 end)`;
  const capacity = (total: 'vcpus' | 'memory_mb' | 'local_gb', r: postgres.PendingQuery<postgres.Row[]>) =>
    sql`greatest(0, floor(${sql(total)}::float8 * ${r}))`;
  return sql`(
    (${need.vcpus}::int > 0 or ${need.memoryMb}::int > 0 or ${need.diskGb}::int > 0)
    and (${need.vcpus}::int = 0
      or vcpus_used + ${need.vcpus}::int <= ${capacity('vcpus', ratio('cpu_allocation_ratio', initial.cpu))})
    and (${need.memoryMb}::int = 0
      or memory_mb_used + ${need.memoryMb}::int <= ${capacity('memory_mb', ratio('ram_allocation_ratio', initial.ram))})
    and (${need.diskGb}::int = 0
      or local_gb_used + ${need.diskGb}::int <= ${capacity('local_gb', ratio('disk_allocation_ratio', initial.disk))})
  )`;
}
