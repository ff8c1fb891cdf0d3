import 'server-only';
/**
 * delete_cell (nova-manage cell_v2), with nova's checks in nova's order and exit codes:
 * 1 not found, 2 hosts mapped (unless forced), 3 live instances (even when forced),
 * 4 instance mappings of deleted instances (unless forced). Forcing deletes the instance
 * mappings, sets mapped = 0 on the cell's compute nodes, deletes the host mappings and
 * then the cell mapping.
 *
 * nova's writes, column for column: the rows are deleted (the api tables have no
 * `deleted`); the cell's live compute nodes (ComputeNodeList.get_all: deleted = 0, every
 * one of them, whatever its mapped was) get mapped = 0 and updated_at = now, as
 * compute_node_update always sets updated_at. Refused before it starts when Cellar's role
 * may not make these writes (the api database at once, the cell's before its UPDATE).
 */
import type { CellHandle } from '@/db/connect';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { NEEDS, privilegeRefusal, readWritePrivileges, requireWritePrivileges } from '../nova/write-privileges';
import { askOneCell } from './ask-one-cell';
import { RESTART_NOTICES } from './caveats';
import { type CellRow, toCellMapping } from './create-cell';
import { cellLabel, cellNotFound, type CellSummary } from './cell-ref';

export interface DeleteCellResult {
  cell: CellSummary;
  deleted: { instanceMappings: number; hostMappings: number };
  /** Compute nodes set back to mapped = 0 so a later discover_hosts finds them again. */
  computeNodesUnmapped: number;
  notice: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * One round trip to the cell: its live instances, and when nothing lives there and it is
 * asked for, unmap its nodes — after checking that Cellar's role may (askOneCell carries
 * that refusal through, so it is not taken for a cell that is down).
 */
async function inspectCell(handle: CellHandle, unmap: boolean, label: string): Promise<{ live: number; unmapped: number }> {
  if (unmap) {
    const refusal = privilegeRefusal([
      { where: { cell: label }, needs: NEEDS.setComputeNodesMapped, reading: await readWritePrivileges(handle, NEEDS.setComputeNodesMapped) },
    ]);
    if (refusal) throw refusal;
  }
  return handle.sql.begin(async (tx) => {
    // nova's InstanceList.get_all: deleted = 0, whatever the vm_state (soft-delete included).
    const [row] = await tx<{ live: number }[]>`select count(*)::int as live from instances where deleted = 0`;
    const live = row!.live;
    if (live > 0 || !unmap) return { live, unmapped: 0 };
    const updated = await tx`
      update compute_nodes set mapped = 0, updated_at = (now() at time zone 'utc') where deleted = 0`;
    return { live, unmapped: updated.count };
  });
}

/**
 * The checks and the deletes run in one api-database transaction that holds the cell
 * mapping's row lock: no host or instance mapping can be pointed at the cell meanwhile
 * (their foreign keys need that row), so what was checked is what gets deleted. The
 * cell database is read under the deadline; if it does not answer, nothing is deleted,
 * because nobody can then prove it holds no live instances.
 */
export async function deleteCell(deps: Deps, input: { cellUuid: string; force?: boolean }): Promise<DeleteCellResult> {
  const force = Boolean(input.force);
  await requireWritePrivileges(deps.api, 'api database', NEEDS.deleteCellMapping);
  const result = await deps.api.sql.begin(async (tx) => {
    const [row] = await tx<CellRow[]>`
      select id, uuid, name, transport_url, database_connection, disabled, created_at
      from cell_mappings where uuid = ${input.cellUuid} for update`;
    if (!row) throw cellNotFound(input.cellUuid, 1);
    const cell = toCellMapping(row);
    const label = cellLabel(cell);
    const [counts] = await tx<{ hosts: number; instances: number }[]>`
      select (select count(*)::int from host_mappings where cell_id = ${cell.id}) as hosts,
             (select count(*)::int from instance_mappings where cell_id = ${cell.id}) as instances`;
    const { hosts, instances } = counts!;

    if (hosts > 0 && !force) {
      throw refuse.precondition(
        `Cell ${label} still has ${plural(hosts, 'mapped host')}; delete or move them first (forcing the delete removes the host mappings).`,
        2,
        { novaMessage: `There are existing hosts mapped to cell with uuid ${cell.uuid}.`, hostMappings: hosts },
      );
    }

    const unmap = force && hosts > 0;
    let unmapped = 0;
    if (instances > 0 || unmap) {
      const inspected = await askOneCell(deps, cell, ({ handle }) => inspectCell(handle, unmap, label), {
        consequence:
          instances > 0
            ? 'Cellar cannot prove it has no live instances, so nothing was deleted'
            : 'its compute nodes cannot be set back to unmapped, so nothing was deleted',
        exitCode: 1,
      });
      const { live } = inspected;
      if (live > 0) {
        throw refuse.precondition(
          `Cell ${label} still has ${plural(live, 'live instance')}; delete them first. Forcing never deletes a cell with live instances.`,
          3,
          { novaMessage: `There are existing instances mapped to cell with uuid ${cell.uuid}.`, liveInstances: live },
        );
      }
      if (instances > 0 && !force) {
        throw refuse.precondition(
          `Cell ${label} still has ${plural(instances, 'instance mapping')} of deleted instances; archive them first (nova-manage db archive_deleted_rows), or force the delete to remove them.`,
          4,
          {
            novaMessage:
              `There are instance mappings to cell with uuid ${cell.uuid}, but all instances have been deleted in the cell.\n` +
              "So execute 'nova-manage db archive_deleted_rows' to delete the instance mappings.",
            instanceMappings: instances,
          },
        );
      }
      unmapped = inspected.unmapped;
    }

    const deletedInstanceMappings = await tx`delete from instance_mappings where cell_id = ${cell.id}`;
    const deletedHostMappings = await tx`delete from host_mappings where cell_id = ${cell.id}`;
    await tx`delete from cell_mappings where id = ${cell.id}`;
    return {
      cell: { uuid: cell.uuid, name: cell.name },
      deleted: { instanceMappings: deletedInstanceMappings.count, hostMappings: deletedHostMappings.count },
      computeNodesUnmapped: unmapped,
      notice: RESTART_NOTICES.cellDeleted,
    };
  });
  // The pool to a cell that no longer exists is of no further use.
  await deps.registry.forget(result.cell.uuid);
  return result;
}
