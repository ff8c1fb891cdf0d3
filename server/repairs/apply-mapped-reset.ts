import 'server-only';
/**
 * compute_nodes.mapped back to 0 for live nodes marked mapped whose host has no host
 * mapping, per cell, one UPDATE per cell and batch whose WHERE holds the whole condition
 * again (the hosts with a mapping read from the api database just before). updated_at is
 * set as nova's compute_node_update sets it. A cell that does not answer is reported and
 * its rows are not reached; the others go on. The cell and the audit log are two
 * databases: the audit rows are written right after the cell answered, for exactly the
 * rows it returned.
 */
import { fanOut } from '@/db/fanout';
import { type DownCell, downCell } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { type ChangedRow, type RepairActor, auditChangedRows } from './audit-repair';
import { mappedHosts } from './find-mapped-compute-nodes';
import { repairCells } from './repair-cells';

export interface ResetResult {
  changed: number;
  notReached: number;
  down: DownCell[];
}

export async function resetMappedNodes(deps: Deps, byCell: ReadonlyMap<string, readonly number[]>, actor: RepairActor): Promise<ResetResult> {
  const cells = (await repairCells(deps, undefined, { withCell0: false })).filter((c) => byCell.has(c.uuid));
  // A cell whose mapping went away since the dry run: its rows cannot be reached.
  let notReached = [...byCell.entries()].filter(([u]) => !cells.some((c) => c.uuid === u)).reduce((n, [, ids]) => n + ids.length, 0);
  const hosts = await mappedHosts(deps);
  const outcomes = await fanOut(
    deps.registry,
    cells,
    ({ cell, handle }) => handle.sql<{ id: number; uuid: string | null; host: string; hypervisor_hostname: string | null }[]>`
      update compute_nodes set mapped = 0, updated_at = (now() at time zone 'utc')
      where id = any(${[...(byCell.get(cell.uuid) ?? [])]}::int[])
        and deleted = 0 and mapped >= 1 and host is not null
        and not (host = any(${hosts}::text[]))
      returning id, uuid, host, hypervisor_hostname`,
    { deadlineMs: deps.deadlineMs },
  );
  let changed = 0;
  const down: DownCell[] = [];
  for (const o of outcomes) {
    if (o.status === 'down') {
      down.push(downCell(o));
      notReached += byCell.get(o.cell.uuid)?.length ?? 0;
      continue;
    }
    const rows: ChangedRow[] = o.value.map((r) => ({
      target: `cell ${o.cell.uuid}; host ${r.host}; compute node ${r.id}${r.hypervisor_hostname ? ` (${r.hypervisor_hostname})` : ''}`,
      row: { table: 'compute_nodes', cellUuid: o.cell.uuid, ...r, mapped: 0 },
    }));
    await auditChangedRows(deps, deps.api.sql, 'mapped_compute_nodes', actor, rows);
    changed += rows.length;
  }
  return { changed, notReached, down };
}
