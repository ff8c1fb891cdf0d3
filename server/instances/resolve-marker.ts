/**
 * A list marker is the uuid of the last row of the previous page. Like nova's
 * get_marker_record, it is found through instance_mappings in the one cell that holds
 * it, deleted or not, and its sort values become every cell's keyset position. A marker
 * nobody knows is an error ("marker not found"), never an empty page that would look
 * like the end of the list.
 */
import { fanOut } from '@/db/fanout';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel } from '../cells/mappings';
import { INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { readSortPosition } from './read-cell-batch';
import type { Position, SortSpec } from './sort-order';

export function markerNotFound(marker: string) {
  // nova's MarkerNotFound: "Marker %(marker)s could not be found."
  return refuse.notFound(`Marker ${marker} could not be found.`, 1, { marker });
}

export async function resolveMarker(deps: Deps, sort: SortSpec, marker: string, deadlineMs: number): Promise<Position> {
  const [mapping] = await deps.api.sql<
    { id: number; uuid: string; name: string | null; database_connection: string | null }[]
  >`select c.id, c.uuid, c.name, c.database_connection
    from instance_mappings m join cell_mappings c on c.id = m.cell_id
    where m.instance_uuid = ${marker} and m.project_id <> ${INSTANCE_MIGRATION_MARKER}`;
  if (!mapping) throw markerNotFound(marker);
  const cell = { id: mapping.id, uuid: mapping.uuid, name: mapping.name, databaseConnection: mapping.database_connection };
  const [outcome] = await fanOut(deps.registry, [cell], ({ handle }) => readSortPosition(handle.sql, sort, marker), {
    deadlineMs: Math.max(1, deadlineMs),
  });
  if (outcome!.status === 'down') {
    throw refuse.unavailable(
      `The page marker ${marker} is an instance of cell ${cellLabel(cell)}, which did not answer (${outcome!.reason}: ${outcome!.message}); the list cannot continue from it until the cell answers. Start again from the first page to see the other cells.`,
      1,
      { marker, cellUuid: cell.uuid },
    );
  }
  if (!outcome!.value) throw markerNotFound(marker);
  return outcome!.value;
}
