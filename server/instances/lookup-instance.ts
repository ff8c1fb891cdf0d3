import 'server-only';
/**
 * Where is this instance? nova-manage cell_v2 verify_instance's outcomes (cells-v2.md §4,
 * §5.3), in plain words for the console and in nova's words and exit codes for the CLI:
 *
 *   0 in a cell (live; a soft-deleted instance is still in its cell)
 *   1 no mapping: the upgrade is incomplete (map_instances never ran) or it does not exist
 *   2 a mapping with no cell: being scheduled (its build request), or an orphaned mapping
 *   3 deleted in its cell but still mapped (archive_deleted_rows has not run)
 *   4 mapped to a cell whose database has no row at all (archived, mapping left behind)
 *
 * A cell that does not answer is its own outcome (nova's command dies with 255 there).
 * The map_instances marker and the VIF migration's fake instance are not instances.
 */
import { fanOut } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import { cellLabel, type CellSummary, type DownCell } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { instanceUuid } from './instance-uuid';
import { TIMESTAMP_TEXT } from './read-cell-batch';
import { statusFromState } from './status';

export interface LookupMapping {
  projectId: string;
  userId: string | null;
  /** NULL (not migrated yet) counts as not queued. */
  queuedForDelete: boolean;
  createdAt: Date | null;
}

export interface LookupBuildRequest {
  name: string | null;
  flavor: string | null;
  projectId: string;
  createdAt: Date | null;
  /** The instance JSON is NULL or cannot be read (nova treats the row as not found). */
  corrupt: boolean;
}

export interface LookupInstanceRow {
  name: string | null;
  status: string;
  vmState: string | null;
  taskState: string | null;
  host: string | null;
  projectId: string | null;
  userId: string | null;
  flavor: string | null;
  createdAt: Date | null;
  deletedAt: Date | null;
}

export type LookupOutcome =
  | { kind: 'in_cell'; uuid: string; cell: CellSummary; mapping: LookupMapping; instance: LookupInstanceRow }
  | { kind: 'not_mapped'; uuid: string }
  | { kind: 'not_an_instance'; uuid: string }
  | { kind: 'scheduling'; uuid: string; mapping: LookupMapping; buildRequest: LookupBuildRequest }
  | { kind: 'orphaned'; uuid: string; mapping: LookupMapping }
  | { kind: 'deleted'; uuid: string; cell: CellSummary; mapping: LookupMapping; instance: LookupInstanceRow }
  | { kind: 'archived'; uuid: string; cell: CellSummary; mapping: LookupMapping }
  | ({ kind: 'cell_down'; uuid: string; cell: CellSummary; mapping: LookupMapping } & Pick<DownCell, 'reason' | 'message' | 'elapsedMs'>);

export type LookupResult = LookupOutcome & {
  /** verify_instance's exit code for this outcome (255 where nova's command would crash). */
  exitCode: number;
  /** What it means, in plain words. */
  summary: string;
};

interface MappingRow {
  project_id: string;
  user_id: string | null;
  queued_for_delete: boolean | null;
  created_at: string | null;
  cell_id: number | null;
  cell_uuid: string | null;
  cell_name: string | null;
  database_connection: string | null;
  br_id: number | null;
  br_instance: string | null;
  br_project_id: string | null;
  br_created_at: string | null;
}

/** The mapping, its cell and its build request, read in one statement: one consistent snapshot. */
async function readMapping(deps: Deps, uuid: string): Promise<MappingRow | undefined> {
  const [row] = await deps.api.sql<MappingRow[]>`
    select m.project_id, m.user_id, m.queued_for_delete, to_char(m.created_at, ${TIMESTAMP_TEXT}) as created_at,
      c.id as cell_id, c.uuid as cell_uuid, c.name as cell_name, c.database_connection,
      b.id as br_id, b.instance as br_instance, b.project_id as br_project_id,
      to_char(b.created_at, ${TIMESTAMP_TEXT}) as br_created_at
    from instance_mappings m
    left join cell_mappings c on c.id = m.cell_id
    left join build_requests b on b.instance_uuid = m.instance_uuid
    where m.instance_uuid = ${uuid} and m.project_id <> ${INSTANCE_MIGRATION_MARKER}`;
  return row;
}

/** build_requests.instance, read defensively: NULL or anything but an Instance primitive is corrupt. */
function readBuildRequest(row: MappingRow): LookupBuildRequest {
  let name: string | null = null;
  let corrupt = true;
  try {
    const parsed = row.br_instance ? (JSON.parse(row.br_instance) as Record<string, unknown>) : null;
    const data = parsed?.['nova_object.data'];
    if (parsed?.['nova_object.name'] === 'Instance' && data && typeof data === 'object') {
      corrupt = false;
      const n = (data as Record<string, unknown>).display_name;
      name = typeof n === 'string' ? n : null;
    }
  } catch {
    corrupt = true;
  }
  return {
    name,
    flavor: corrupt ? null : (readFlavorFromPrimitive(row.br_instance)?.name ?? null),
    projectId: row.br_project_id ?? row.project_id,
    createdAt: utcDate(row.br_created_at),
    corrupt,
  };
}

interface CellRow {
  deleted: number;
  display_name: string | null;
  vm_state: string | null;
  task_state: string | null;
  host: string | null;
  project_id: string | null;
  user_id: string | null;
  created_at: string | null;
  deleted_at: string | null;
  flavor: string | null;
}

function instanceOf(r: CellRow): LookupInstanceRow {
  return {
    name: r.display_name,
    status: statusFromState(r.vm_state, r.task_state),
    vmState: r.vm_state,
    taskState: r.task_state,
    host: r.host,
    projectId: r.project_id,
    userId: r.user_id,
    flavor: readFlavorFromPrimitive(r.flavor)?.name ?? null,
    createdAt: utcDate(r.created_at),
    deletedAt: utcDate(r.deleted_at),
  };
}

function ago(from: Date | null, now: Date): string {
  if (!from) return 'at an unknown time';
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

const EXIT: Record<LookupOutcome['kind'], number> = {
  in_cell: 0,
  not_mapped: 1,
  not_an_instance: 1,
  scheduling: 2,
  orphaned: 2,
  deleted: 3,
  archived: 4,
  cell_down: 255,
};

function summarise(o: LookupOutcome, deps: Deps): string {
  switch (o.kind) {
    case 'in_cell':
      return o.instance.vmState === 'soft-delete'
        ? `Soft-deleted in cell ${cellLabel(o.cell)}: still restorable until it is reclaimed.`
        : `In cell ${cellLabel(o.cell)}.`;
    case 'not_mapped':
      return 'Not mapped: there is no instance mapping. Either the upgrade is incomplete (map_instances has not mapped it) or the instance does not exist (it may also have been archived).';
    case 'not_an_instance':
      return 'Not an instance: this is the fake instance the virtual interface online migration creates; it is never listed.';
    case 'scheduling':
      return o.buildRequest.corrupt
        ? `Being scheduled: the mapping has no cell yet and its build request (created ${ago(o.buildRequest.createdAt, deps.now())}) cannot be read.`
        : `Being scheduled: the mapping has no cell yet; its build request ${o.buildRequest.name ?? '(no name)'} (${o.buildRequest.flavor ?? 'unknown flavor'}) was created ${ago(o.buildRequest.createdAt, deps.now())}.`;
    case 'orphaned':
      return `Orphaned mapping: no cell, no build request${o.mapping.queuedForDelete ? ', queued for delete' : ''}. It was most likely deleted before the conductor placed it, and the conductor never cleaned up.`;
    case 'deleted':
      return `Deleted in cell ${cellLabel(o.cell)}, but still mapped: run nova-manage db archive_deleted_rows to archive it and remove its mapping.`;
    case 'archived':
      return `Archived but still mapped: the mapping says cell ${cellLabel(o.cell)}, whose database has no row for it at all.`;
    case 'cell_down':
      return `The mapping says cell ${cellLabel(o.cell)}, but the cell did not answer within ${deps.deadlineMs} ms (${o.reason}: ${o.message}).`;
  }
}

function finish(o: LookupOutcome, deps: Deps): LookupResult {
  return { ...o, exitCode: EXIT[o.kind], summary: summarise(o, deps) };
}

export async function lookupInstance(deps: Deps, rawUuid: string): Promise<LookupResult> {
  const parsed = instanceUuid.safeParse(rawUuid);
  if (!parsed.success) throw refuse.invalid(`${JSON.stringify(rawUuid)} ${parsed.error.issues[0]?.message ?? 'is not a uuid'}.`, 1);
  const uuid = parsed.data;
  if (uuid === FAKE_INSTANCE_UUID) return finish({ kind: 'not_an_instance', uuid }, deps);

  let row = await readMapping(deps, uuid);
  if (!row) return finish({ kind: 'not_mapped', uuid }, deps);
  if (row.cell_id === null && row.br_id === null) {
    // §5.3: the build request may have just been consumed; the conductor sets the
    // mapping's cell before deleting it, so a second read finds the cell if there is one.
    row = (await readMapping(deps, uuid)) ?? row;
  }
  const mapping: LookupMapping = {
    projectId: row.project_id,
    userId: row.user_id,
    queuedForDelete: row.queued_for_delete === true,
    createdAt: utcDate(row.created_at),
  };
  if (row.cell_id === null || row.cell_uuid === null) {
    if (row.br_id !== null) return finish({ kind: 'scheduling', uuid, mapping, buildRequest: readBuildRequest(row) }, deps);
    return finish({ kind: 'orphaned', uuid, mapping }, deps);
  }

  const cellRef = { id: row.cell_id, uuid: row.cell_uuid, name: row.cell_name, databaseConnection: row.database_connection };
  const cell: CellSummary = { uuid: row.cell_uuid, name: row.cell_name };
  const [outcome] = await fanOut(
    deps.registry,
    [cellRef],
    async ({ handle }) => {
      const [r] = await handle.sql<CellRow[]>`
        select i.deleted, i.display_name, i.vm_state, i.task_state, i.host, i.project_id, i.user_id,
          to_char(i.created_at, ${TIMESTAMP_TEXT}) as created_at, to_char(i.deleted_at, ${TIMESTAMP_TEXT}) as deleted_at,
          (select e.flavor from instance_extra e where e.instance_uuid = i.uuid order by (e.deleted = 0) desc, e.id desc limit 1) as flavor
        from instances i where i.uuid = ${uuid}
        order by (i.deleted = 0) desc, i.id desc limit 1`;
      return r ?? null;
    },
    { deadlineMs: deps.deadlineMs },
  );
  if (outcome!.status === 'down') {
    return finish({ kind: 'cell_down', uuid, cell, mapping, reason: outcome!.reason, message: outcome!.message, elapsedMs: outcome!.elapsedMs }, deps);
  }
  const found = outcome!.value;
  if (!found) return finish({ kind: 'archived', uuid, cell, mapping }, deps);
  if (found.deleted !== 0) return finish({ kind: 'deleted', uuid, cell, mapping, instance: instanceOf(found) }, deps);
  return finish({ kind: 'in_cell', uuid, cell, mapping, instance: instanceOf(found) }, deps);
}

/** What `nova-manage cell_v2 verify_instance` prints for an outcome (without --quiet). */
export function verifyInstanceLines(r: LookupResult): string[] {
  switch (r.kind) {
    case 'in_cell':
      return [`Instance ${r.uuid} is in cell: ${r.cell.name ?? 'None'} (${r.cell.uuid})`];
    case 'not_mapped':
    case 'not_an_instance':
      return [`Instance ${r.uuid} is not mapped to a cell (upgrade is incomplete) or instance does not exist`];
    case 'scheduling':
    case 'orphaned':
      return [`Instance ${r.uuid} is not mapped to a cell`];
    case 'deleted':
      return [
        `The instance with uuid ${r.uuid} has been deleted.`,
        'Execute `nova-manage db archive_deleted_rows` command to archive this deleted instance and remove its instance_mapping.',
      ];
    case 'archived':
      return [`The instance with uuid ${r.uuid} has been archived.`, 'However its instance_mapping remains.'];
    case 'cell_down':
      return [];
  }
}
