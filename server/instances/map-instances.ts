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
 */
import { fanOut } from '@/db/fanout';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';

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

  const [cell] = await deps.api.sql<{ id: number; uuid: string; name: string | null; database_connection: string | null }[]>`
    select id, uuid, name, database_connection from cell_mappings where uuid = ${input.cellUuid}`;
  if (!cell) throw refuse.notFound(`Cell with uuid ${input.cellUuid} was not found.`, FAILED);
  const ref = { id: cell.id, uuid: cell.uuid, name: cell.name, databaseConnection: cell.database_connection };

  const markers = await deps.api.sql<{ instance_uuid: string }[]>`
    select instance_uuid from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER} order by id limit 1`;
  let marker = input.reset || markers.length === 0 ? null : markers[0]!.instance_uuid.replace(/ /g, '-');

  const readBatch = async (after: string | null): Promise<InstanceRow[]> => {
    const [outcome] = await fanOut(
      deps.registry,
      [ref],
      async ({ handle }) => {
        // Deleted instances too (nova: read_deleted='yes'), oldest first (NULL created_at
        // before all), uuid descending among equals: the order of a backward scan of
        // instances_created_at_uuid_idx (created_at DESC NULLS LAST, uuid), so each batch
        // reads `batch` index entries from the marker on instead of sorting the whole cell
        // (which made a 1,000,000-instance cell cost a full sort per batch).
        if (after === null) {
          return handle.sql<InstanceRow[]>`
            select uuid, project_id, user_id from instances
            order by created_at asc nulls first, uuid desc limit ${batch}`;
        }
        const [at] = await handle.sql<{ created_at: string | null }[]>`select created_at::text as created_at from instances where uuid = ${after}`;
        // The marker names an instance of another cell, or one archived since: say so, never
        // carry on from the wrong place or stop early as if all were mapped.
        if (!at) return null;
        if (at.created_at === null) {
          return handle.sql<InstanceRow[]>`
            select uuid, project_id, user_id from (
              (select uuid, project_id, user_id, created_at from instances
               where created_at is null and uuid < ${after} order by uuid desc limit ${batch})
              union all
              (select uuid, project_id, user_id, created_at from instances
               where created_at is not null order by created_at asc, uuid desc limit ${batch})
            ) page
            order by created_at asc nulls first, uuid desc limit ${batch}`;
        }
        // created_at >= marker is the index range; the rest leaves out what came before it.
        return handle.sql<InstanceRow[]>`
          select uuid, project_id, user_id from instances
          where created_at >= ${at.created_at}::timestamp
            and (created_at > ${at.created_at}::timestamp or uuid < ${after})
          order by created_at asc nulls first, uuid desc limit ${batch}`;
      },
      { deadlineMs: deps.deadlineMs },
    );
    if (!outcome || outcome.status === 'down') {
      const why = outcome?.status === 'down' ? `${outcome.reason}: ${outcome.message}` : 'no answer';
      throw refuse.unavailable(`Cell ${cell.name ?? cell.uuid} does not answer (${why}); no instances were mapped from it in this batch.`, FAILED);
    }
    if (outcome.value === null) {
      throw refuse.precondition(
        `The map_instances marker (instance ${after}) is not in cell ${cell.name ?? cell.uuid}; run again with --reset to start over.`,
        FAILED,
      );
    }
    return outcome.value;
  };

  const result: MapInstancesResult = { exitCode: 0, scanned: 0, mapped: 0, alreadyMapped: 0, skipped: 0, marker: null };
  for (;;) {
    const rows = await readBatch(marker);
    const candidates = rows.filter((r) => r.uuid !== FAKE_INSTANCE_UUID && r.project_id !== null);
    if (candidates.length > 0) {
      const inserted = await deps.api.sql`
        insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
        select t.instance_uuid, ${cell.id}, t.project_id, t.user_id, false, (now() at time zone 'utc')
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
  await deps.api.sql.begin(async (tx) => {
    await tx`delete from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}`;
    if (marker !== null) {
      await tx`
        insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, created_at)
        values (${marker.replace(/-/g, ' ')}, null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER},
                (now() at time zone 'utc'))
        on conflict (instance_uuid) do nothing`;
    }
  });
}
