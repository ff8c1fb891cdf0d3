import 'server-only';
/**
 * What the api database still knows of the instances of cells that did not answer
 * (nova 2.69, get_not_deleted_by_cell_and_project): their mappings not queued for
 * delete (NULL counts as not deleted), shown with status UNKNOWN, their project and the
 * mapping's created_at. The map_instances marker and the VIF migration's fake instance
 * are not instances. One statement for all down cells.
 */
import type { ApiHandle } from '@/db/connect';
import { utcDate } from '@/db/timestamps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { TIMESTAMP_TEXT } from './read-cell-batch';

export interface MappedInstance {
  uuid: string;
  projectId: string;
  userId: string | null;
  createdAt: Date | null;
}

export interface DownCellInstances {
  /** How many instances the api database maps to the cell (within the project filter). */
  count: number;
  /** The newest of them, at most `perCell`. */
  rows: MappedInstance[];
}

export async function readDownCellInstances(
  api: ApiHandle,
  cellIds: number[],
  opts: { projectId?: string; perCell: number },
): Promise<Map<number, DownCellInstances>> {
  const out = new Map<number, DownCellInstances>(cellIds.map((id) => [id, { count: 0, rows: [] }]));
  if (cellIds.length === 0) return out;
  const rows = await api.sql<
    { cell_id: number; instance_uuid: string | null; project_id: string | null; user_id: string | null; created_at: string | null; total: number }[]
  >`with m as (
      select m.cell_id, m.instance_uuid, m.project_id, m.user_id, m.created_at,
        row_number() over (partition by m.cell_id order by m.created_at desc nulls last, m.instance_uuid) as rn,
        count(*) over (partition by m.cell_id) as total
      from instance_mappings m
      where m.cell_id = any(${cellIds}::int[])
        and m.queued_for_delete is not true
        and m.project_id <> ${INSTANCE_MIGRATION_MARKER}
        and m.instance_uuid <> ${FAKE_INSTANCE_UUID}
        ${opts.projectId ? api.sql`and m.project_id = ${opts.projectId}` : api.sql``}
    )
    select cell_id, instance_uuid, project_id, user_id, to_char(created_at, ${TIMESTAMP_TEXT}) as created_at, total::int as total
    from m where rn <= ${Math.max(opts.perCell, 1)}
    order by cell_id, rn`;
  for (const r of rows) {
    const entry = out.get(r.cell_id)!;
    entry.count = r.total;
    if (entry.rows.length < opts.perCell && r.instance_uuid) {
      entry.rows.push({ uuid: r.instance_uuid, projectId: r.project_id ?? '', userId: r.user_id, createdAt: utcDate(r.created_at) });
    }
  }
  return out;
}
