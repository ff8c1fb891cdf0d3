import 'server-only';
/**
 * delete_host (nova-manage cell_v2, cells-v2.md §4, §9.18): nova's checks in nova's order
 * with its exit codes and messages, then its side effect: the host's compute nodes back to
 * mapped = 0 (or discover_hosts would never pick the host up again), then the mapping goes.
 *
 * nova's writes: every live node of the host (ComputeNodeList.get_all_by_host, deleted =
 * 0) gets mapped = 0 and updated_at = now (compute_node_update always sets it), and the
 * host_mappings row is deleted. Refused before it starts when Cellar's role may not:
 * the api database is checked first, the cell's in the same round trip as its checks.
 */
import { askOneCell } from '../cells/ask-one-cell';
import { cellLabel, type CellSummary } from '../cells/cell-ref';
import { readCellMappings } from '../cells/mappings';
import { RESTART_NOTICES } from '../cells/caveats';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { NEEDS, privilegeRefusal, readWritePrivileges, requireWritePrivileges } from '../nova/write-privileges';
import { requireCell } from './require-cell';

export interface DeleteHostResult {
  host: string;
  cell: CellSummary;
  /** Live compute nodes of the host set back to mapped = 0. */
  nodesReset: number;
  restartNotice: string;
}

const hostNotFound = (host: string) => refuse.notFound(`The host ${host} was not found.`, 2);
const hostNotInCell = (host: string, cellUuid: string) => refuse.notFound(`The host ${host} was not found in the cell ${cellUuid}.`, 3);

export async function deleteHost(deps: Deps, { cellUuid, host }: { cellUuid: string; host: string }): Promise<DeleteHostResult> {
  await requireWritePrivileges(deps.api, 'api database', NEEDS.deleteHostMapping);
  const cell = requireCell(await readCellMappings(deps.api), cellUuid);
  const [mapping] = await deps.api.sql<{ cell_id: number }[]>`select cell_id from host_mappings where host = ${host}`;
  if (!mapping) throw hostNotFound(host);
  if (mapping.cell_id !== cell.id) throw hostNotInCell(host, cellUuid);

  // One statement in the cell: count the host's instances and, only when there are none,
  // reset its nodes. nova's get_by_host reads deleted = 0 rows, so a soft-deleted (still
  // restorable) instance also keeps the host.
  const checked = await askOneCell(
    deps,
    cell,
    async ({ handle }) => {
      const refusal = privilegeRefusal([
        { where: { cell: cellLabel(cell) }, needs: NEEDS.setComputeNodesMapped, reading: await readWritePrivileges(handle, NEEDS.setComputeNodesMapped) },
      ]);
      if (refusal) throw refusal;
      const [row] = await handle.sql<{ instances: number; reset: number }[]>`
        with live as (select count(*)::int as n from instances where host = ${host} and deleted = 0),
        reset as (
          update compute_nodes set mapped = 0, updated_at = (now() at time zone 'utc')
          where host = ${host} and deleted = 0 and (select n from live) = 0
          returning id)
        select (select n from live) as instances, (select count(*)::int from reset) as reset`;
      return row!;
    },
    { consequence: `its instances on ${host} cannot be checked, so the host mapping was not deleted`, exitCode: 1 },
  );
  if (checked.instances > 0) throw refuse.conflict(`There are instances on the host ${host}.`, 4);

  // Conditional on the cell: a mapping moved or deleted since the checks above is reported
  // as nova's checks would report it now, not deleted blindly.
  const deleted = await deps.api.sql`delete from host_mappings where host = ${host} and cell_id = ${cell.id} returning id`;
  if (deleted.length === 0) {
    const [now] = await deps.api.sql`select 1 from host_mappings where host = ${host}`;
    throw now ? hostNotInCell(host, cellUuid) : hostNotFound(host);
  }
  return {
    host,
    cell: { uuid: cell.uuid, name: cell.name },
    nodesReset: checked.reset,
    restartNotice: RESTART_NOTICES.hostMappingDeleted,
  };
}
