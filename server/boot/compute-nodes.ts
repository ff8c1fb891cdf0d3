import 'server-only';
/**
 * The compute nodes the scheduler and the capacity report look at: every live node of
 * the given cells, read through fanOut under the deadline (one query per cell, all
 * cells at once), each with its nova-compute service's state and its host's mapping.
 */
import { loaderOn } from '@/db/coalesce';
import type { ApiHandle, CellHandle } from '@/db/connect';
import { type CellOutcome, fanOut } from '@/db/fanout';
import type { CellRef } from '@/db/registry';
import type { Deps } from '../deps';
import { type ComputeNodeInventoryRow, inventoryFromRow } from '../nova/capacity';
import { serviceState } from '../nova/service-state';
import type { NodeUsage } from './fit';

/** Why a node can or cannot take new instances (nova's ComputeFilter: service up and enabled). */
export type NodeStatus = 'schedulable' | 'service-down' | 'service-disabled' | 'no-service';

export interface ComputeNode extends NodeUsage {
  id: number;
  uuid: string | null;
  host: string | null;
  hypervisorHostname: string | null;
  runningVms: number;
  status: NodeStatus;
}

interface NodeRow extends ComputeNodeInventoryRow {
  id: number;
  uuid: string | null;
  host: string | null;
  hypervisor_hostname: string | null;
  running_vms: number | null;
  service_id: number | null;
  disabled: boolean | null;
  forced_down: boolean | null;
  last_seen_up: string | null;
  service_created_at: string | null;
}

/** One cell's live compute nodes and their nova-compute services, in one query. */
export async function readCellComputeNodes(handle: CellHandle, now: Date, serviceDownTimeS: number): Promise<ComputeNode[]> {
  // Timestamps as text: they are naive UTC, and serviceState reads text as UTC.
  const rows = await handle.sql<NodeRow[]>`
    select cn.id, cn.uuid, cn.host, cn.hypervisor_hostname,
      cn.vcpus, cn.memory_mb, cn.local_gb, cn.vcpus_used, cn.memory_mb_used, cn.local_gb_used, cn.running_vms,
      cn.cpu_allocation_ratio, cn.ram_allocation_ratio, cn.disk_allocation_ratio,
      s.id as service_id, s.disabled, s.forced_down,
      s.last_seen_up::text as last_seen_up, s.created_at::text as service_created_at
    from compute_nodes cn
    left join services s on s.host = cn.host and s.binary = 'nova-compute' and s.deleted = 0
    where cn.deleted = 0
    order by cn.id`;
  return rows.map((r) => {
    let status: NodeStatus;
    if (r.service_id === null) status = 'no-service';
    else if (r.disabled) status = 'service-disabled';
    else if (serviceState({ forcedDown: r.forced_down, lastSeenUp: r.last_seen_up, createdAt: r.service_created_at }, now, serviceDownTimeS) === 'down')
      status = 'service-down';
    else status = 'schedulable';
    return {
      id: r.id,
      uuid: r.uuid,
      host: r.host,
      hypervisorHostname: r.hypervisor_hostname,
      ...inventoryFromRow(r),
      runningVms: r.running_vms ?? 0,
      status,
    };
  });
}

/** Every chosen cell's compute nodes at once, under the deadline; a cell that does not answer is `down`. */
export function readComputeNodes(deps: Deps, cells: readonly CellRef[]): Promise<CellOutcome<ComputeNode[]>[]> {
  const now = deps.now();
  return fanOut(deps.registry, cells, ({ handle }) => readCellComputeNodes(handle, now, deps.serviceDownTimeS), {
    deadlineMs: deps.deadlineMs,
  });
}

/** host → uuid of the cell its host mapping names, for a set of hosts (one api query). */
export async function readHostCells(deps: Deps, hosts: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(hosts)];
  if (unique.length === 0) return new Map();
  const cells = await hostCells(deps.api).loadMany(unique);
  const out = new Map<string, string>();
  for (const [i, c] of cells.entries()) {
    if (c instanceof Error) throw c;
    if (c !== null) out.set(unique[i]!, c);
  }
  return out;
}

/** The cell of each host (null: not mapped); the hosts asked at one moment (a page's per-cell calls) in one query. */
const hostCells = (api: ApiHandle) =>
  loaderOn<string, string | null>(api, 'host-cells', async (hosts) => {
    const rows = await api.sql<{ host: string; cell_uuid: string }[]>`
      select h.host, c.uuid as cell_uuid
      from host_mappings h join cell_mappings c on c.id = h.cell_id
      where h.host = any(${[...new Set(hosts)]}::text[])`;
    const cellOf = new Map(rows.map((r) => [r.host, r.cell_uuid]));
    return hosts.map((h) => cellOf.get(h) ?? null);
  });

/**
 * Where a node's host stands in host_mappings, seen from the cell whose database holds
 * the node: mapped here, not mapped at all (not yet discovered), or mapped to another
 * cell (a broken deployment, cells-v2.md §9.4).
 */
export type HostMapState = 'mapped' | 'unmapped' | 'mapped-elsewhere';

export function hostMapState(hostCells: Map<string, string>, host: string | null, cellUuid: string): HostMapState {
  const mapped = host === null ? undefined : hostCells.get(host);
  if (mapped === undefined) return 'unmapped';
  return mapped === cellUuid ? 'mapped' : 'mapped-elsewhere';
}
