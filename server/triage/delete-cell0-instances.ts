import 'server-only';
/**
 * Delete cell0 instances: the only action nova allows on them (cells-cell0 spec), done as
 * nova's _delete → _local_delete → _do_delete → instance.destroy() does it (§5.5, §2.6),
 * step by step in nova's order, each step one statement for the whole selection:
 *
 *   0. both databases: may Cellar's role make these writes? (one query each; refused
 *      before anything is written, nothing half done);
 *   1. cell0: task_state = 'deleting', progress = 0, updated_at = now (instance.save());
 *   2. cell0: vm_state = 'deleted', task_state = NULL, terminated_at = now, updated_at = now
 *      (_do_delete(local=True), instance.save());
 *   3. api:   instance_mappings.queued_for_delete = true, updated_at = now (only where it
 *      changes: an unchanged object emits no UPDATE);
 *   4. cell0: instance.destroy() — the instance soft-deleted (deleted = id,
 *      deleted_at = now, updated_at kept), then every related row nova's instance_destroy
 *      soft-deletes or hard-deletes, in the tables this database has (destroyRelatedRows).
 *
 * No `delete` instance action is written: nova records one only when the delete goes to a
 * compute that is up (compute/api.py _delete: `if not is_local_delete: _record_action_start`);
 * a cell0 instance has no host, so its delete is local and leaves the actions as they were.
 * Who deleted it is in Cellar's audit log.
 *
 * Who deleted an instance is decided by the database: steps 1, 2 and 4 run in one cell0
 * transaction that first locks the live rows (`SELECT … WHERE deleted = 0 FOR UPDATE`, in
 * id order), so exactly one of several concurrent callers gets each row and takes it
 * through every step; the others wait, find it deleted, report it as already deleted and
 * write nothing. Step 3 runs on the api database while those locks are held. cell0 is all
 * or nothing: if a later step fails, steps 1 and 2 are rolled back with it.
 *
 * Like nova's admin-context delete through the API (§9.10), an instance lock (`locked`)
 * does not stop it.
 * Neutron, Cinder, Placement and Cyborg clean-up have no tables here: cell0 instances
 * never got ports, attachments or allocations past the failed boot.
 */
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { askOneCell } from '../cells/ask-one-cell';
import { cellLabel } from '../cells/cell-ref';
import { DESTROY_NEEDS, destroyRelatedRows } from '../boot/destroy-instance';
import { CELL0_UUID } from '../nova/constants';
import { NEEDS, privilegeRefusal, readWritePrivileges } from '../nova/write-privileges';
import { CELL0_UNMAPPED_MESSAGE, findCell0 } from './cell0-read';

export interface DeleteCell0Result {
  /** Deleted by this call. */
  deleted: string[];
  /** Deleted before, or by someone else at the same time: nothing changed for them. */
  alreadyDeleted: string[];
  /** Neither a mapping nor a cell0 row. */
  notFound: string[];
}

export interface DeleteCell0Options {
  /**
   * Who deletes. Not written to cell0: nova records no instance action for a local delete
   * (see above); the console's and the CLI's audit log records the caller.
   */
  actor?: string;
}

/** What the delete writes in cell0 (step 0). */
const CELL0_NEEDS = DESTROY_NEEDS;

interface Located {
  uuid: string;
  cell_uuid: string | null;
  cell_name: string | null;
  has_mapping: boolean;
}

/** Why an instance cannot be deleted here, in plain words; null when it is a cell0 instance. */
function notInCell0(m: Located | undefined, inCell0: boolean): string | null {
  if (!m)
    return inCell0
      ? 'has no instance mapping, and nova does not delete an instance it cannot map (During local delete, failed to find instance mapping)'
      : null;
  if (m.cell_uuid === null) return 'is not scheduled yet: it is a build request (delete it from Build requests)';
  if (m.cell_uuid !== CELL0_UUID) return `is in cell ${cellLabel({ uuid: m.cell_uuid, name: m.cell_name })}, not in cell0`;
  return null;
}

export async function deleteCell0Instances(deps: Deps, uuids: readonly string[], _opts: DeleteCell0Options = {}): Promise<DeleteCell0Result> {
  const wanted = [...new Set(uuids)];
  if (wanted.length === 0) return { deleted: [], alreadyDeleted: [], notFound: [] };

  // 0. The privileges of both databases, and where each instance is: from the api
  // database (two statements) and from cell0 (one round trip: the privileges, then the rows).
  const [apiPrivileges, mappings] = await Promise.all([
    readWritePrivileges(deps.api, NEEDS.queueMappingsForDelete),
    deps.api.sql<Located[]>`
      select m.instance_uuid as uuid, c.uuid as cell_uuid, c.name as cell_name, true as has_mapping
      from instance_mappings m left join cell_mappings c on c.id = m.cell_id
      where m.instance_uuid = any(${wanted})`,
  ]);
  const cell0 = await findCell0(deps);
  if (!cell0) throw refuse.precondition(CELL0_UNMAPPED_MESSAGE);
  const read = await askOneCell(
    deps,
    cell0,
    async ({ handle }) => ({
      privileges: await readWritePrivileges(handle, CELL0_NEEDS),
      rows: await handle.sql<{ uuid: string; deleted: number | null }[]>`select uuid, deleted from instances where uuid = any(${wanted})`,
    }),
    { consequence: 'nothing was deleted. Try again when it answers', exitCode: 1 },
  );
  const forbidden = privilegeRefusal([
    { where: 'api database', needs: NEEDS.queueMappingsForDelete, reading: apiPrivileges },
    { where: { cell: cellLabel(cell0) }, needs: CELL0_NEEDS, reading: read.privileges },
  ]);
  if (forbidden) throw forbidden;
  const rows = read.rows;
  const mappingOf = new Map(mappings.map((m) => [m.uuid, m]));
  const rowOf = new Map(rows.map((r) => [r.uuid, r]));

  const refusals = wanted.flatMap((u) => {
    const why = notInCell0(mappingOf.get(u), rowOf.has(u));
    return why ? [`${u} ${why}`] : [];
  });
  if (refusals.length > 0) {
    throw refuse.conflict(
      `Only cell0 instances can be deleted here; nothing was deleted. ${refusals.length === 1 ? 'Instance' : 'Instances'} ${refusals.join('; ')}.`,
      1,
      { refused: refusals },
    );
  }

  const notFound = wanted.filter((u) => !rowOf.has(u));
  // nova's `deleted` is nullable and has no server default: only 0 is live (read_deleted='no').
  const before = wanted.filter((u) => rowOf.has(u) && rowOf.get(u)!.deleted !== 0);
  const live = wanted.filter((u) => rowOf.get(u)?.deleted === 0);
  if (live.length === 0) return { deleted: [], alreadyDeleted: before, notFound };

  const sql = deps.registry.handleFor(cell0).sql;
  const at = deps.now();
  const now = at.toISOString();

  // One cell0 transaction holds the rows from step 1 to step 4. Locked one statement at a
  // time, a caller that lost the race re-ran step 1 on a row the winner had already taken
  // past step 2, and left it deleted with task_state 'deleting'. Held to the end, a second
  // caller waits, then sees deleted <> 0 and skips the row (READ COMMITTED re-checks the
  // locked row's new version), so each row goes through nova's steps once, by one caller.
  // All callers lock in id order, so overlapping selections queue instead of deadlocking.
  const won = await sql.begin(async (tx) => {
    const mine = await tx<{ id: number; uuid: string }[]>`
      select id, uuid from instances where uuid = any(${live}) and deleted = 0 order by id for update`;
    if (mine.length === 0) return [];
    const ids = mine.map((r) => r.id);
    const taken = mine.map((r) => r.uuid);

    // 1. task_state deleting, progress 0: what nova saves before anything else.
    await tx`update instances set task_state = 'deleting', progress = 0, updated_at = ${now}::timestamp where id = any(${ids})`;

    // 2. _do_delete(local=True).
    await tx`
      update instances set vm_state = 'deleted', task_state = null, terminated_at = ${now}::timestamp, updated_at = ${now}::timestamp
      where id = any(${ids})`;

    // 3. _update_queued_for_deletion: the mapping stays until archive_deleted_rows. Only this
    // caller holds these instances, so no other caller writes these mappings meanwhile.
    await deps.api.sql`
      with t as (select id from instance_mappings where instance_uuid = any(${taken}) and queued_for_delete is not true order by id for update)
      update instance_mappings m set queued_for_delete = true, updated_at = ${now}::timestamp
      from t where m.id = t.id`;

    // 4. instance.destroy(). oslo.db's soft_delete keeps updated_at (SET updated_at =
    // updated_at): step 2 set it.
    const gone = await tx<{ uuid: string }[]>`
      update instances set deleted = id, deleted_at = ${now}::timestamp where id = any(${ids}) returning uuid`;
    const goneUuids = gone.map((g) => g.uuid);
    await destroyRelatedRows(tx, goneUuids, at);
    return goneUuids;
  });

  const wonSet = new Set(won);
  return {
    deleted: live.filter((u) => wonSet.has(u)),
    alreadyDeleted: [...before, ...live.filter((u) => !wonSet.has(u))],
    notFound,
  };
}
