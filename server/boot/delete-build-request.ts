import 'server-only';
/**
 * Deleting a server that is still a build request, as nova's API does
 * (_delete_while_booting → _attempt_delete_of_buildrequest, cells-v2.md §5.4):
 *
 * 1. DELETE the build_requests row. None deleted: the conductor already consumed it, the
 *    server lives in a cell now and is deleted the normal way there.
 * 2. (Volumes: Cellar's build requests attach none.)
 * 3. If the mapping now names a cell and the instance exists there, soft-delete it.
 * 4. Set queued_for_delete on the mapping.
 *
 * 0 (before anything): may Cellar's role delete the build request and queue the mapping in
 *   the api database? In the cell, a destroy is checked before it runs; it is the
 *   conductor's to do when it cannot be (it destroys what it built when it finds the
 *   build request gone), so a cell that refuses or does not answer is said, not fatal.
 *
 * The columns are nova's: the build request row is deleted (BuildRequest.destroy), the
 * instance soft-deleted as instance_destroy does (updated_at kept), and the mapping's
 * queued_for_delete set with updated_at (InstanceMapping.save, only when it changes).
 *
 * The request spec stays (until archive). The conductor does its half when it notices the
 * build request gone (scheduleAndBuild): it removes a mapping that still has no cell, or
 * destroys the instance it just created; every step on both sides is a conditional
 * statement, so any interleaving ends with no live instance and nothing left pending.
 */
import type { Deps } from '../deps';
import { isCellarError, refuse } from '../errors';
import { cellLabel } from '../cells/cell-ref';
import { readCellMappings } from '../cells/mappings';
import { classifyCellError } from '@/db/fanout';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';
import { DESTROY_NEEDS, destroyInstances } from './destroy-instance';

export type DeleteBuildRequestResult =
  | {
      result: 'deleted';
      instanceUuid: string;
      /** Where an instance the conductor had already created was soft-deleted, if anywhere. */
      destroyedIn: { uuid: string; name: string | null } | null;
      message: string;
    }
  | { result: 'already-scheduled'; instanceUuid: string; cell: { uuid: string; name: string | null }; message: string }
  | { result: 'already-deleted'; instanceUuid: string; message: string };

export async function deleteBuildRequest(deps: Deps, instanceUuid: string): Promise<DeleteBuildRequestResult> {
  const api = deps.api.sql;
  const now = deps.now();
  await requireWritePrivileges(deps.api, 'api database', NEEDS.deleteBuildRequest);
  const removed = await api<{ id: number }[]>`delete from build_requests where instance_uuid = ${instanceUuid} returning id`;

  const readMapping = async () =>
    (
      await api<{ cell_uuid: string | null; cell_name: string | null; queued_for_delete: boolean | null }[]>`
        select c.uuid as cell_uuid, c.name as cell_name, m.queued_for_delete
        from instance_mappings m left join cell_mappings c on c.id = m.cell_id
        where m.instance_uuid = ${instanceUuid}`
    )[0];

  if (removed.length === 0) {
    const m = await readMapping();
    if (m?.cell_uuid) {
      const cell = { uuid: m.cell_uuid, name: m.cell_name };
      return {
        result: 'already-scheduled',
        instanceUuid,
        cell,
        message: `Instance ${instanceUuid} is no longer a build request: nova's conductor placed it in cell ${cellLabel(cell)}. Delete the server there.`,
      };
    }
    if (m) {
      return { result: 'already-deleted', instanceUuid, message: `The build request of instance ${instanceUuid} was already deleted.` };
    }
    throw refuse.notFound(`BuildRequest not found for instance ${instanceUuid}`, 1);
  }

  // 3. The conductor may have created the instance meanwhile.
  const m = await readMapping();
  let destroyedIn: { uuid: string; name: string | null } | null = null;
  let unreachable: string | null = null;
  if (m?.cell_uuid) {
    const cell = (await readCellMappings(deps.api)).find((c) => c.uuid === m.cell_uuid);
    if (cell) {
      try {
        const handle = deps.registry.handleFor(cell);
        await requireWritePrivileges(handle, { cell: cellLabel(cell) }, DESTROY_NEEDS);
        const destroyed = await destroyInstances(handle, [instanceUuid], now);
        if (destroyed.length > 0) destroyedIn = { uuid: cell.uuid, name: cell.name };
      } catch (e) {
        // The conductor destroys its instance itself when it finds the build request gone.
        unreachable = isCellarError(e)
          ? `in cell ${cellLabel(cell)} Cellar may not delete it (${e.message.replace(/ Nothing was changed\.$/, '')})`
          : `cell ${cellLabel(cell)} did not answer (${classifyCellError(e).message})`;
      }
    }
  }
  // 4.
  await api`
    update instance_mappings set queued_for_delete = true, updated_at = ${now.toISOString()}::timestamp
    where instance_uuid = ${instanceUuid} and queued_for_delete is not true`;
  return {
    result: 'deleted',
    instanceUuid,
    destroyedIn,
    message: destroyedIn
      ? `Build request of instance ${instanceUuid} deleted; the instance the conductor had just created in cell ${cellLabel(destroyedIn)} was deleted too.`
      : unreachable
        ? `Build request of instance ${instanceUuid} deleted; ${unreachable}, so the conductor will remove the instance it created there.`
        : `Build request of instance ${instanceUuid} deleted.`,
  };
}
