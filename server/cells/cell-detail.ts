import 'server-only';
/**
 * One cell in full: its mapping (URLs masked), its host mappings (api database), and what
 * its own database answers within the deadline: compute nodes with their nova-compute
 * services and capacity, and the live instances that would block a delete. A cell that
 * does not answer still shows what the api database knows.
 */
import type { CellHandle } from '@/db/connect';
import { fanOut } from '@/db/fanout';
import { cellSchemaStatus, type SchemaStatus } from '@/db/migrate';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { serviceState, type ServiceState } from '../nova/service-state';
import { type ComputeNode, readCellComputeNodes } from '../boot/compute-nodes';
import { type CapacityOptions, initialAllocationRatios } from '../boot/fit';
import { type AllocationRatios, type ComputeNodeInventoryRow, inventoryFromRow, nodeCapacity, sumCapacity } from '../nova/capacity';
import { type CapacityTotals, cellCapacityFigures, type NodeCapacity, type NodePlacement } from './cell-capacity';
import { cellNotFound, type DownCell, downCell, type LastKnown } from './cell-ref';
import { rememberFigures } from './last-known';
import { type CellRow, toCellMapping } from './create-cell';
import { publicCell } from './mappings';

export interface ComputeNodeView {
  id: number;
  uuid: string | null;
  host: string | null;
  hypervisorHostname: string | null;
  hypervisorType: string;
  hypervisorVersion: number;
  /** compute_nodes.mapped: only a hint of what discover_hosts did (NULL read as 0). */
  mappedFlag: number;
  /** The host mapping that actually exists for this node's host, in whichever cell. */
  hostMapping: { cellUuid: string; cellName: string | null; thisCell: boolean } | null;
  service: {
    state: ServiceState;
    disabled: boolean;
    disabledReason: string | null;
    forcedDown: boolean;
    lastSeenUp: Date | null;
    version: number | null;
  } | null;
  /** nova's capacity model (nova/capacity.ts): the node's ratios, or the initial ones where it stores none. */
  capacity: NodeCapacity;
  /** Whether the scheduler places new instances here (schedulable), may pick it though its host is unmapped, or not. */
  placement: NodePlacement;
}

export interface HostMappingView {
  host: string;
  createdAt: Date | null;
  /** The host has a live compute node or nova-compute service in this cell; null when the cell did not answer. */
  inCellDatabase: boolean | null;
}

/** What a cell's page shows of the cell's own answer: kept from its last answer, shown stale while it is down. */
export interface CellDetailFigures {
  schema: SchemaStatus | null;
  liveInstances: number | null;
  computeNodes: ComputeNodeView[] | null;
  capacity: CapacityTotals | null;
  schedulableCapacity: CapacityTotals | null;
}

export interface CellDetail {
  cell: ReturnType<typeof publicCell> & { createdAt: Date | null };
  status: 'up' | 'down';
  /** When down: who did not answer, why, and how long it took. */
  down: DownCell | null;
  /** How long the cell took to answer, or to be given up on. */
  elapsedMs: number;
  schema: SchemaStatus | null;
  hostMappings: HostMappingView[];
  /** Instance mappings pointing at this cell (what a forced delete removes when no instance lives). */
  instanceMappings: number;
  /** Instances with deleted = 0, any vm_state: what makes nova refuse to delete the cell. Null when unknown. */
  liveInstances: number | null;
  computeNodes: ComputeNodeView[] | null;
  /** Over every live compute node. */
  capacity: CapacityTotals | null;
  /** Over the nodes the scheduler places on (nova-compute up and enabled, host mapped here): the cells page's figures. */
  schedulableCapacity: CapacityTotals | null;
  /** The ratios of a node that stores none (CELLAR_INITIAL_*_ALLOCATION_RATIO). */
  initialAllocationRatios: AllocationRatios;
  /** When down: its figures from the last time it answered, and when (cellar.cell_figures); null when up or never seen. */
  lastKnown: LastKnown<CellDetailFigures> | null;
  asOf: Date;
}

interface NodeRow extends ComputeNodeInventoryRow {
  id: number;
  uuid: string | null;
  host: string | null;
  hypervisor_hostname: string | null;
  hypervisor_type: string;
  hypervisor_version: number;
  mapped: number;
  service_id: number | null;
  service_disabled: boolean | null;
  disabled_reason: string | null;
  forced_down: boolean | null;
  last_seen_up: string | null;
  service_created_at: string | null;
  version: number | null;
}

interface CellAnswer {
  schema: SchemaStatus;
  nodes: NodeRow[] | null;
  /** The same nodes as the scheduler reads them (boot/compute-nodes.ts), for the schedulable figures. */
  schedulerNodes: ComputeNode[] | null;
  serviceHosts: string[];
  liveInstances: number | null;
}

async function readCell(handle: CellHandle, now: Date, serviceDownTimeS: number): Promise<CellAnswer> {
  const schema = await cellSchemaStatus(handle.sql);
  // Nothing to count in an empty database, and nothing safe to read where a column Cellar reads is missing.
  if (schema.state === 'uninitialised' || schema.state === 'incomplete')
    return { schema, nodes: null, schedulerNodes: null, serviceHosts: [], liveInstances: null };
  const [nodes, schedulerNodes, services, live] = await Promise.all([
    // The node's nova-compute service is found by host, as nova does (service_id is legacy).
    handle.sql<NodeRow[]>`
      select n.id, n.uuid, n.host, n.hypervisor_hostname, n.hypervisor_type, n.hypervisor_version,
             n.vcpus, n.vcpus_used, n.memory_mb, n.memory_mb_used, n.local_gb, n.local_gb_used,
             n.cpu_allocation_ratio, n.ram_allocation_ratio, n.disk_allocation_ratio, coalesce(n.mapped, 0) as mapped,
             s.id as service_id, s.disabled as service_disabled, s.disabled_reason, s.forced_down,
             s.last_seen_up, s.created_at as service_created_at, s.version
      from compute_nodes n
      left join lateral (
        select * from services s
        where s.host = n.host and s."binary" = 'nova-compute' and s.deleted = 0
        order by s.id desc limit 1
      ) s on true
      where n.deleted = 0
      order by n.host, n.hypervisor_hostname, n.id`,
    readCellComputeNodes(handle, now, serviceDownTimeS),
    handle.sql<{ host: string }[]>`
      select distinct host from services where "binary" = 'nova-compute' and deleted = 0 and host is not null`,
    handle.sql<{ n: number }[]>`select count(*)::int as n from instances where deleted = 0`,
  ]);
  return { schema, nodes, schedulerNodes, serviceHosts: services.map((s) => s.host), liveInstances: live[0]!.n };
}

export async function readCellDetail(deps: Deps & CapacityOptions, uuid: string): Promise<CellDetail> {
  const initial = initialAllocationRatios(deps);
  const [row] = await deps.api.sql<CellRow[]>`
    select id, uuid, name, transport_url, database_connection, disabled, created_at
    from cell_mappings where uuid = ${uuid}`;
  if (!row) throw cellNotFound(uuid, 1);
  const cell = toCellMapping(row);

  const [hostRows, counts, outcomes] = await Promise.all([
    deps.api.sql<{ host: string; created_at: string | null }[]>`
      select host, created_at from host_mappings where cell_id = ${cell.id} order by host`,
    deps.api.sql<{ n: number }[]>`select count(*)::int as n from instance_mappings where cell_id = ${cell.id}`,
    fanOut(deps.registry, [cell], ({ handle }) => readCell(handle, deps.now(), deps.serviceDownTimeS), { deadlineMs: deps.deadlineMs }),
  ]);
  const outcome = outcomes[0]!;
  const base = {
    cell: { ...publicCell(cell), createdAt: cell.createdAt },
    instanceMappings: counts[0]!.n,
    elapsedMs: outcome.elapsedMs,
    initialAllocationRatios: initial,
    asOf: deps.now(),
  };

  if (outcome.status === 'down') {
    const seen = await rememberFigures<CellAnswer, CellDetailFigures>(deps, 'cell-detail', outcomes, () => null);
    return {
      ...base,
      status: 'down',
      down: downCell(outcome),
      lastKnown: seen.get(cell.uuid) ?? null,
      schema: null,
      hostMappings: hostRows.map((h) => ({ host: h.host, createdAt: utcDate(h.created_at), inCellDatabase: null })),
      liveInstances: null,
      computeNodes: null,
      capacity: null,
      schedulableCapacity: null,
    };
  }

  const answer = outcome.value;
  const nodes = answer.nodes ?? [];
  const cellHosts = new Set([...nodes.flatMap((n) => (n.host ? [n.host] : [])), ...answer.serviceHosts]);
  const nodeHosts = [...new Set(nodes.flatMap((n) => (n.host ? [n.host] : [])))];
  // compute_nodes.mapped is only a hint: what counts is whether a host mapping exists.
  const mappings =
    nodeHosts.length === 0
      ? []
      : await deps.api.sql<{ host: string; uuid: string; name: string | null }[]>`
          select h.host, c.uuid, c.name from host_mappings h join cell_mappings c on c.id = h.cell_id
          where h.host = any(${nodeHosts}::text[])`;
  const mappingOf = new Map(mappings.map((m) => [m.host, m]));
  const now = deps.now();
  // The schedulable figures exactly as the cells page and the scheduler count them.
  const placed = answer.schedulerNodes ? cellCapacityFigures(answer.schedulerNodes, cell.uuid, new Map(mappings.map((m) => [m.host, m.uuid])), initial) : null;
  const placementOf = new Map((placed?.nodes ?? []).map((p) => [p.node.id, p.placement]));

  const computeNodes: ComputeNodeView[] = nodes.map((n) => {
    const m = n.host ? mappingOf.get(n.host) : undefined;
    return {
      id: n.id,
      uuid: n.uuid,
      host: n.host,
      hypervisorHostname: n.hypervisor_hostname,
      hypervisorType: n.hypervisor_type,
      hypervisorVersion: n.hypervisor_version,
      mappedFlag: n.mapped,
      hostMapping: m ? { cellUuid: m.uuid, cellName: m.name, thisCell: m.uuid === cell.uuid } : null,
      service:
        n.service_id === null
          ? null
          : {
              state: serviceState({ forcedDown: n.forced_down, lastSeenUp: n.last_seen_up, createdAt: n.service_created_at }, now, deps.serviceDownTimeS),
              disabled: n.service_disabled ?? false,
              disabledReason: n.disabled_reason,
              forcedDown: n.forced_down ?? false,
              lastSeenUp: utcDate(n.last_seen_up),
              version: n.version,
            },
      capacity: nodeCapacity(inventoryFromRow(n), initial),
      placement: placementOf.get(n.id) ?? 'not-schedulable',
    };
  });

  const figures: CellDetailFigures = {
    schema: answer.schema,
    liveInstances: answer.liveInstances,
    computeNodes: answer.nodes === null ? null : computeNodes,
    capacity: answer.nodes === null ? null : sumCapacity(computeNodes.map((n) => n.capacity)),
    schedulableCapacity: placed ? placed.figures.schedulable : null,
  };
  await rememberFigures(deps, 'cell-detail', outcomes, () => figures);
  return {
    ...base,
    status: 'up',
    down: null,
    hostMappings: hostRows.map((h) => ({ host: h.host, createdAt: utcDate(h.created_at), inCellDatabase: cellHosts.has(h.host) })),
    ...figures,
    lastKnown: null,
  };
}
