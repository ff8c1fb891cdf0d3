import 'server-only';
/**
 * Live compute nodes marked mapped (mapped >= 1) whose host has no host mapping: nova's
 * per-node discover_hosts scans only mapped < 1, so such a host is never mapped again
 * (a host mapping deleted by hand, without delete_host's reset). One fan-out over the
 * cells (cell0 holds no hosts, and discover_hosts skips it); a cell that does not answer
 * is reported, never fatal.
 */
import { fanOut } from '@/db/fanout';
import type { CellHandle } from '@/db/connect';
import { utcDate } from '@/db/timestamps';
import { downCell, type DownCell } from '../cells/cell-ref';
import type { CellMapping } from '../cells/mappings';
import type { Deps } from '../deps';
import { MAX_REPAIR_LIMIT, type RepairRow } from './repair-kinds';

export interface MappedNodeRow {
  id: number;
  uuid: string | null;
  host: string;
  hypervisor_hostname: string | null;
  mapped: number;
  created_at: string | null;
}

/** Every host that has a host mapping (to any cell). */
export async function mappedHosts(deps: Pick<Deps, 'api'>, among?: readonly string[]): Promise<string[]> {
  const rows = among
    ? await deps.api.sql<{ host: string }[]>`select host from host_mappings where host = any(${[...among]}::text[])`
    : await deps.api.sql<{ host: string }[]>`select host from host_mappings`;
  return rows.map((r) => r.host);
}

/** The condition in the cell, on compute_nodes: what the finder lists and what the UPDATE checks again. */
export function mappedNodeRows(handle: CellHandle, hostsWithMapping: readonly string[], ids?: readonly number[]) {
  const sql = handle.sql;
  return sql<MappedNodeRow[]>`
    select id, uuid, host, hypervisor_hostname, mapped, created_at::text as created_at
    from compute_nodes
    where deleted = 0 and mapped >= 1 and host is not null
      and not (host = any(${[...hostsWithMapping]}::text[]))
      ${ids ? sql`and id = any(${[...ids]}::int[])` : sql``}
    order by host, hypervisor_hostname, id
    limit ${MAX_REPAIR_LIMIT + 1}`;
}

export function nodeRow(
  cell: { uuid: string; name: string | null },
  r: Pick<MappedNodeRow, 'id' | 'host' | 'hypervisor_hostname' | 'created_at'> & { mapped?: number },
): RepairRow {
  return {
    key: `compute_nodes:${cell.uuid}:${r.id}`,
    table: 'compute_nodes',
    id: r.id,
    cell: { uuid: cell.uuid, name: cell.name },
    instanceUuid: null,
    projectId: null,
    host: r.host,
    node: r.hypervisor_hostname,
    createdAt: utcDate(r.created_at),
    note: r.mapped !== undefined ? `mapped = ${r.mapped}` : null,
    advice: null,
  };
}

export async function findMappedComputeNodes(
  deps: Pick<Deps, 'api' | 'registry' | 'deadlineMs'>,
  cells: readonly CellMapping[],
): Promise<{ rows: RepairRow[]; more: boolean; down: DownCell[] }> {
  const hosts = await mappedHosts(deps);
  const outcomes = await fanOut(deps.registry, cells, ({ handle }) => mappedNodeRows(handle, hosts), { deadlineMs: deps.deadlineMs });
  const rows: RepairRow[] = [];
  const down: DownCell[] = [];
  for (const o of outcomes) {
    if (o.status === 'down') down.push(downCell(o));
    else for (const r of o.value) rows.push(nodeRow(o.cell, r));
  }
  return { rows: rows.slice(0, MAX_REPAIR_LIMIT), more: rows.length > MAX_REPAIR_LIMIT, down };
}
