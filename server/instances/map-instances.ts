import 'server-only';
/**
 * map_instances (nova-manage cell_v2): give every instance of a cell, deleted ones
 * included, an instance mapping to that cell. nova reads instances by created_at and
 * issues one INSERT per instance; here each batch is one read from the cell and one
 * INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING into the api database, so a
 * re-run costs one statement per batch, not one per instance.
 *
 * The resume marker is nova's: a fake instance_mappings row with project_id and user_id
 * 'INSTANCE_MIGRATION_MARKER', cell_id NULL and the last processed uuid with '-' turned
 * into ' ' (so it cannot collide with the real mapping). --max-count N processes one
 * batch of N and leaves the marker when more remain; --reset ignores the marker.
 *
 * The batches are nova's, row for row, so a run begun by nova-manage goes on here and the
 * other way round. nova reads InstanceList.get_by_filters(read_deleted='yes', filters={},
 * sort_key='created_at', sort_dir='asc', limit, marker); instance_get_all_by_filters_sort
 * runs process_sort_params, which appends its default keys created_at and id in the first
 * key's direction, so the order is `ORDER BY created_at ASC, id ASC`: id, the primary key,
 * breaks created_at ties (PostgreSQL puts a NULL created_at last). Deleted rows are in,
 * hidden ones out (`hidden = false OR hidden IS NULL`, nova's default when the filters
 * say nothing of 'hidden'). The marker is the instance whose uuid the marker row holds,
 * found whatever its state (read_deleted='yes'; "not in this cell" is nova's
 * MarkerNotFound), and oslo.db's paginate_query goes on after its (created_at, id):
 * `created_at > m.created_at OR (created_at = m.created_at AND id > m.id)`. The next
 * marker is the batch's last uuid. Same rows, same order, same marker.
 *
 * One difference, where nova's walk is incomplete: instances with a NULL created_at
 * (nova never writes one; TimestampMixin sets it). After a marker with a created_at, nova's
 * criteria are never true for them, so a --max-count walk ends without mapping them; and
 * after a marker without one, paginate_query drops the NULL key and reads `id > m.id`
 * (rows with a created_at again). Here they follow the others, by id, to the end.
 *
 * The rows written are nova's InstanceMapping.create(): instance_uuid, cell_id,
 * project_id, user_id, queued_for_delete = false (create() sets it when not given),
 * created_at = naive UTC now; the marker row too (cell_id NULL). Refused before it starts
 * when Cellar's role may not insert into and delete from instance_mappings.
 */
import type postgres from 'postgres';
import type { Deps } from '../deps';
import { askOneCell } from '../cells/ask-one-cell';
import { cellLabel, cellNotFound } from '../cells/cell-ref';
import { refuse } from '../errors';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';

/** Rows per batch when mapping everything (nova: 50). Large, since each batch is one statement each side. */
export const MAP_ALL_BATCH = 10_000;

/**
 * nova's exit codes: 0 all mapped, 1 more to do (marker saved), 127 bad --max-count. A
 * cell that cannot be used (unknown uuid, marker not in the cell, cell not answering)
 * is 255 as in nova, never 1, because 1 tells a script to run again.
 */
const FAILED = 255;

export interface MapInstancesInput {
  cellUuid: string;
  /** One batch of this many instances; omitted: everything, in batches. */
  maxCount?: number;
  /** Ignore the marker of a previous --max-count run and start over. */
  reset?: boolean;
}

export interface MapInstancesResult {
  exitCode: 0 | 1;
  /** Instances read from the cell in this run. */
  scanned: number;
  /** Mappings created by this run. */
  mapped: number;
  /** Instances that already had a mapping (the unique key said so). */
  alreadyMapped: number;
  /** Not mapped on purpose: the VIF migration's fake instance, or an instance without a project. */
  skipped: number;
  /** Where the next run resumes (the last uuid processed), or null when done. */
  marker: string | null;
}

interface InstanceRow {
  uuid: string;
  project_id: string | null;
  user_id: string | null;
}

export async function mapInstances(deps: Deps, input: MapInstancesInput): Promise<MapInstancesResult> {
  if (input.maxCount !== undefined && (!Number.isInteger(input.maxCount) || input.maxCount < 1)) {
    throw refuse.invalid('Must supply a positive value for max-count', 127);
  }
  const mapAll = input.maxCount === undefined;
  const batch = input.maxCount ?? MAP_ALL_BATCH;
  await requireWritePrivileges(deps.api, 'api database', NEEDS.mapInstances);

  const [cell] = await deps.api.sql<{ id: number; uuid: string; name: string | null; database_connection: string | null }[]>`
    select id, uuid, name, database_connection from cell_mappings where uuid = ${input.cellUuid}`;
  if (!cell) throw cellNotFound(input.cellUuid, FAILED);
  const ref = { id: cell.id, uuid: cell.uuid, name: cell.name, databaseConnection: cell.database_connection };

  const markers = await deps.api.sql<{ instance_uuid: string }[]>`
    select instance_uuid from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER} order by id limit 1`;
  let marker = input.reset || markers.length === 0 ? null : markers[0]!.instance_uuid.replace(/ /g, '-');

  const readBatch = async (after: string | null): Promise<InstanceRow[]> => {
    const rows = await askOneCell(
      deps,
      ref,
      async ({ handle }) => {
        // nova's query; its marker criteria as one row comparison: (created_at, id) >
        // (m.created_at, m.id) is `created_at > m OR (created_at = m AND id > m.id)`.
        // Written as two parts so each walks an index instead of sorting the cell: rows with a
        // created_at by a backward scan of instances_created_at_uuid_idx (created_at DESC
        // NULLS LAST: backwards it is ascending; "nulls first" only names that order, the
        // part has no NULLs) with an incremental sort on id within equal created_at, then
        // the rows without one, by id.
        const visible = handle.sql`(hidden = false or hidden is null)`;
        const dated = (from: { id: number; createdAt: string } | null) => handle.sql`
          select uuid, project_id, user_id, created_at, id from instances
          where created_at is not null and ${visible}
            ${from ? handle.sql`and (created_at, id) > (${from.createdAt}::timestamp, ${from.id})` : handle.sql``}
          order by created_at asc nulls first, id asc limit ${batch}`;
        const undated = (afterId: number | null) => handle.sql`
          select uuid, project_id, user_id, created_at, id from instances
          where created_at is null and ${visible} ${afterId === null ? handle.sql`` : handle.sql`and id > ${afterId}`}
          order by id asc limit ${batch}`;
        const page = (first: postgres.PendingQuery<postgres.Row[]> | null, second: postgres.PendingQuery<postgres.Row[]>) =>
          handle.sql<InstanceRow[]>`
            select uuid, project_id, user_id from (
              ${first ? handle.sql`(${first}) union all` : handle.sql``} (${second})
            ) as batch
            order by created_at asc nulls last, id asc limit ${batch}`;
        if (after === null) return page(dated(null), undated(null));
        const [at] = await handle.sql<{ id: number; created_at: string | null }[]>`
          select id, created_at::text as created_at from instances where uuid = ${after}`;
        // The marker names an instance of another cell, or one archived since: say so, never
        // carry on from the wrong place or stop early as if all were mapped.
        if (!at) return null;
        if (at.created_at === null) return page(null, undated(at.id));
        return page(dated({ id: at.id, createdAt: at.created_at }), undated(null));
      },
      { consequence: 'no instances were mapped from it in this batch', exitCode: FAILED },
    );
    if (rows === null) {
      throw refuse.precondition(`The map_instances marker (instance ${after}) is not in cell ${cellLabel(ref)}; run again with --reset to start over.`, FAILED);
    }
    return rows;
  };

  const result: MapInstancesResult = { exitCode: 0, scanned: 0, mapped: 0, alreadyMapped: 0, skipped: 0, marker: null };
  for (;;) {
    const rows = await readBatch(marker);
    const candidates = rows.filter((r) => r.uuid !== FAKE_INSTANCE_UUID && r.project_id !== null);
    if (candidates.length > 0) {
      const inserted = await deps.api.sql`
        insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at, updated_at)
        select t.instance_uuid, ${cell.id}, t.project_id, t.user_id, false, (now() at time zone 'utc'), null
        from unnest(${candidates.map((r) => r.uuid)}::text[], ${candidates.map((r) => r.project_id)}::text[],
                    ${candidates.map((r) => r.user_id)}::text[]) as t(instance_uuid, project_id, user_id)
        -- In key order, the batch walks the two instance_uuid indexes page after page
        -- instead of jumping about them once per row.
        order by t.instance_uuid
        on conflict (instance_uuid) do nothing`;
      result.mapped += inserted.count;
      result.alreadyMapped += candidates.length - inserted.count;
    }
    result.scanned += rows.length;
    result.skipped += rows.length - candidates.length;
    // A short batch is the end of the table (nova's test, so exactly N left means one more, empty, run).
    marker = rows.length < batch ? null : rows[rows.length - 1]!.uuid;
    if (marker === null || !mapAll) break;
  }

  await saveMarker(deps, marker);
  result.marker = marker;
  result.exitCode = marker === null ? 0 : 1;
  return result;
}

/**
 * Replace nova's marker row with one for `marker` (the last processed instance uuid), or
 * just remove it (null). The old marker goes and the new one comes in one transaction.
 * Exported for the map_instances job, which points the marker at its own stored position
 * before each batch (the marker is global in nova, one for all cells).
 */
export async function saveMarker(deps: Pick<Deps, 'api'>, marker: string | null): Promise<void> {
  await requireWritePrivileges(deps.api, 'api database', NEEDS.mapInstances);
  await deps.api.sql.begin(async (tx) => {
    await tx`delete from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}`;
    if (marker !== null) {
      await tx`
        insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at, updated_at)
        values (${marker.replace(/-/g, ' ')}, null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER}, false,
                (now() at time zone 'utc'), null)
        on conflict (instance_uuid) do nothing`;
    }
  });
}
