import 'server-only';
/**
 * Unmapped computes (cells-v2.md §2.4, §9.4): live compute-node hosts that have no
 * host_mappings row, across every cell except cell0. Never `compute_nodes.mapped` alone:
 * it is a hint that goes stale both ways.
 */
import { fanOut } from '@/db/fanout';
import type { CellHandle } from '@/db/connect';
import { utcDate } from '@/db/timestamps';
import { type CellSummary, type DownCell, downCell, type LastKnown } from '../cells/cell-ref';
import { rememberFigures } from '../cells/last-known';
import { chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { lastHeartbeat, type ServiceState, serviceState } from '../nova/service-state';
import { readHostCells } from './host-cells';

export interface UnmappedCompute {
  cell: CellSummary;
  host: string;
  hypervisorHostname: string | null;
  nodeUuid: string | null;
  /** The compute node's created_at: how long the host has waited for discover_hosts. */
  waitingSince: Date | null;
  /** The host's nova-compute service, or null when it has none (the node outlived it). */
  service: {
    state: ServiceState;
    disabled: boolean;
    disabledReason: string | null;
    forcedDown: boolean;
    lastHeartbeat: Date | null;
  } | null;
}

/** A cell that did not answer, with its unmapped computes of the last time it answered. */
export interface UnmappedDownCell extends DownCell {
  lastKnown: LastKnown<UnmappedCompute[]> | null;
}

export interface UnmappedComputes {
  computes: UnmappedCompute[];
  /** Every cell asked that can hold computes (all but cell0), for choosing where to discover. */
  cells: CellSummary[];
  down: UnmappedDownCell[];
  answered: number;
  total: number;
  asOf: Date;
}

interface NodeRow {
  host: string;
  hypervisor_hostname: string | null;
  uuid: string | null;
  created_at: string | null;
  service_disabled: boolean | null;
  disabled_reason: string | null;
  forced_down: boolean | null;
  last_seen_up: string | null;
  service_created_at: string | null;
  has_service: boolean;
}

/** Every live compute node of the cell with its host's nova-compute service, in one query. */
async function readComputeNodes(handle: CellHandle): Promise<NodeRow[]> {
  return handle.sql<NodeRow[]>`
    select n.host, n.hypervisor_hostname, n.uuid, n.created_at::text as created_at,
      s.id is not null as has_service, s.disabled as service_disabled, s.disabled_reason, s.forced_down,
      s.last_seen_up::text as last_seen_up, s.created_at::text as service_created_at
    from compute_nodes n
    left join lateral (
      select id, disabled, disabled_reason, forced_down, last_seen_up, created_at from services
      where services.host = n.host and services."binary" = 'nova-compute' and services.deleted = 0
      order by id desc limit 1
    ) s on true
    where n.deleted = 0 and n.host is not null`;
}

const byHost = (a: UnmappedCompute, b: UnmappedCompute) =>
  a.host.localeCompare(b.host) || (a.hypervisorHostname ?? '').localeCompare(b.hypervisorHostname ?? '');

function toUnmapped(cell: CellSummary, n: NodeRow, now: Date, serviceDownTimeS: number): UnmappedCompute {
  const liveness = { forcedDown: n.forced_down, lastSeenUp: n.last_seen_up, createdAt: n.service_created_at };
  return {
    cell,
    host: n.host,
    hypervisorHostname: n.hypervisor_hostname,
    nodeUuid: n.uuid,
    waitingSince: utcDate(n.created_at),
    service: n.has_service
      ? {
          state: serviceState(liveness, now, serviceDownTimeS),
          disabled: Boolean(n.service_disabled),
          disabledReason: n.disabled_reason,
          forcedDown: Boolean(n.forced_down),
          lastHeartbeat: lastHeartbeat(liveness),
        }
      : null,
  };
}

export interface UnmappedComputesOptions {
  /** Ask only these cells (none: every cell but cell0). */
  cellUuids?: readonly string[] | null;
}

export async function listUnmappedComputes(deps: Deps, opts: UnmappedComputesOptions = {}): Promise<UnmappedComputes> {
  const cells = chooseCells(await readCellMappings(deps.api), opts.cellUuids).filter((c) => !isCell0(c.uuid));
  const outcomes = await fanOut(deps.registry, cells, ({ handle }) => readComputeNodes(handle), { deadlineMs: deps.deadlineMs });
  const mapped = await readHostCells(deps.api, [...new Set(outcomes.flatMap((o) => (o.status === 'up' ? o.value.map((n) => n.host) : [])))]);
  const now = deps.now();
  const unmappedOf = (cell: CellSummary, nodes: NodeRow[]) =>
    nodes
      .filter((n) => !mapped.has(n.host))
      .map((n) => toUnmapped(cell, n, now, deps.serviceDownTimeS))
      .sort(byHost);
  const seen = await rememberFigures(deps, 'unmapped-computes', outcomes, (nodes, cell) => unmappedOf(cell, nodes));
  const computes = outcomes.flatMap((o) => (o.status === 'up' ? unmappedOf(o.cell, o.value) : [])).sort(byHost);
  const down = outcomes.flatMap((o) => (o.status === 'down' ? [{ ...downCell(o), lastKnown: seen.get(o.cell.uuid) ?? null }] : []));
  return {
    computes,
    cells: cells.map((c) => ({ uuid: c.uuid, name: c.name })),
    down,
    answered: outcomes.length - down.length,
    total: outcomes.length,
    asOf: now,
  };
}
