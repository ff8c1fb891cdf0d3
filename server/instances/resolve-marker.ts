import 'server-only';
/**
 * A list marker is the uuid of the last row of the previous page. Like nova's
 * get_marker_record, it is found through instance_mappings in the one cell that holds
 * it, deleted or not, and its sort values become every cell's keyset position. A marker
 * nobody knows is an error ("marker not found"), never an empty page that would look
 * like the end of the list.
 */
import type { Deps } from '../deps';
import { askOneCell } from '../cells/ask-one-cell';
import { refuse } from '../errors';
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
  const position = await askOneCell(deps, cell, ({ handle }) => readSortPosition(handle.sql, sort, marker), {
    consequence: `the page marker ${marker} is one of its instances, so the list cannot continue from it until the cell answers. Start again from the first page to see the other cells`,
    exitCode: 1,
    deadlineMs: Math.max(1, deadlineMs),
    details: { marker },
  });
  if (!position) throw markerNotFound(marker);
  return position;
}
