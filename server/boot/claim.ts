import 'server-only';
/**
 * Taking and giving back a node's capacity, in the cell database, atomically. The claim
 * is one conditional UPDATE whose WHERE is the fit function (`fitsCondition`): when
 * another scheduler took the room first it changes no row and the caller tries the next
 * candidate. Nothing here reads and then writes.
 *
 * Cellar plays the compute's resource tracker too: the usage columns follow the live
 * instances placed on the node (claimed at build, given back when the instance is
 * destroyed), and the instance counts in running_vms.
 *
 * Times go to raw SQL as ISO text cast to `timestamp`: nova's columns are naive UTC, and
 * the cast keeps the UTC clock time whatever the session's time zone.
 */
import type postgres from 'postgres';
import type { CellHandle } from '@/db/connect';
import type { AllocationRatios } from '../nova/capacity';
import { type ComputeNodeInventoryRow, inventoryFromRow } from '../nova/capacity';
import { fitsCondition, type Need, type NodeUsage } from './fit';

type UsageRow = ComputeNodeInventoryRow;
const usage = inventoryFromRow;

/**
 * Claim one instance's worth on a node. Returns the node's usage after the claim, or null
 * when it no longer fits. `initial`: the ratios of a node that stores none (fit.ts).
 */
export async function claimOnNode(handle: CellHandle, nodeId: number, need: Need, now: Date, initial: AllocationRatios): Promise<NodeUsage | null> {
  const sql = handle.sql;
  const rows = await sql<UsageRow[]>`
    update compute_nodes set
      vcpus_used = vcpus_used + ${need.vcpus}::int,
      memory_mb_used = memory_mb_used + ${need.memoryMb}::int,
      local_gb_used = local_gb_used + ${need.diskGb}::int,
      free_ram_mb = memory_mb - (memory_mb_used + ${need.memoryMb}::int),
      free_disk_gb = local_gb - (local_gb_used + ${need.diskGb}::int),
      running_vms = coalesce(running_vms, 0) + 1,
      updated_at = ${now.toISOString()}::timestamp
    where id = ${nodeId} and deleted = 0 and ${fitsCondition(sql, need, initial)}
    returning vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
      cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio`;
  return rows[0] ? usage(rows[0]) : null;
}

export interface Release extends Need {
  nodeId: number;
  instances: number;
}

/**
 * Give usage back, many nodes in one statement. Only for usage this code claimed (an
 * instance that will not be built, or one just destroyed), so each is given back once.
 */
export async function releaseOnNodes(sql: postgres.Sql | postgres.TransactionSql, releases: readonly Release[], now: Date): Promise<void> {
  const byNode = new Map<number, Release>();
  for (const r of releases) {
    const acc = byNode.get(r.nodeId) ?? { nodeId: r.nodeId, vcpus: 0, memoryMb: 0, diskGb: 0, instances: 0 };
    acc.vcpus += r.vcpus;
    acc.memoryMb += r.memoryMb;
    acc.diskGb += r.diskGb;
    acc.instances += r.instances;
    byNode.set(r.nodeId, acc);
  }
  if (byNode.size === 0) return;
  const values = [...byNode.values()].map((r) => [r.nodeId, r.vcpus, r.memoryMb, r.diskGb, r.instances]);
  await sql`
    update compute_nodes cn set
      vcpus_used = greatest(0, cn.vcpus_used - v.vcpus::int),
      memory_mb_used = greatest(0, cn.memory_mb_used - v.memory_mb::int),
      local_gb_used = greatest(0, cn.local_gb_used - v.disk_gb::int),
      free_ram_mb = cn.memory_mb - greatest(0, cn.memory_mb_used - v.memory_mb::int),
      free_disk_gb = cn.local_gb - greatest(0, cn.local_gb_used - v.disk_gb::int),
      running_vms = greatest(0, coalesce(cn.running_vms, 0) - v.n::int),
      updated_at = ${now.toISOString()}::timestamp
    from (values ${sql(values)}) as v(id, vcpus, memory_mb, disk_gb, n)
    where cn.id = v.id::int`;
}
