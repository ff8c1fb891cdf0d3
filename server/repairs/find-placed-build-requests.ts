import 'server-only';
/**
 * Build requests whose instance already lives in a cell: its instance mapping has a cell.
 * The conductor deletes the build request right after setting the mapping's cell (§5.2
 * steps 5–6); one older than the stuck threshold was left behind. Only the build request
 * goes, as nova's _delete_build_request does: the request spec lives as long as the
 * instance (§1.5) and is removed by archive_deleted_rows.
 */
import type postgres from 'postgres';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { pendingBuildRequestsWhere } from '../triage/build-requests';
import { DEFAULT_STUCK_AFTER_MINUTES } from '../triage/stuck-threshold';
import { MAX_REPAIR_LIMIT, type RepairRow } from './repair-kinds';
import { cutoffText } from './repair-cells';

export const PLACED_AFTER_MINUTES = DEFAULT_STUCK_AFTER_MINUTES;

/** The whole condition, on `b`: what the finder lists and what the DELETE checks again. */
export function placedBuildRequestWhere(sql: postgres.Sql, cutoff: string, cellId: number | null) {
  return sql`${pendingBuildRequestsWhere(sql)}
    and b.created_at < ${cutoff}::timestamp
    and exists (select 1 from instance_mappings m where m.instance_uuid = b.instance_uuid and m.cell_id is not null
                ${cellId === null ? sql`` : sql`and m.cell_id = ${cellId}`})`;
}

export async function findPlacedBuildRequests(deps: Pick<Deps, 'api' | 'now'>, cell: { id: number } | null): Promise<{ rows: RepairRow[]; more: boolean }> {
  const sql = deps.api.sql;
  const cutoff = cutoffText(deps.now(), PLACED_AFTER_MINUTES);
  const rows = await sql<
    { id: number; instance_uuid: string | null; project_id: string; created_at: string | null; cell_uuid: string; cell_name: string | null }[]
  >`
    select b.id, b.instance_uuid, b.project_id, b.created_at::text as created_at, c.uuid as cell_uuid, c.name as cell_name
    from build_requests b
    join instance_mappings m on m.instance_uuid = b.instance_uuid
    join cell_mappings c on c.id = m.cell_id
    where ${placedBuildRequestWhere(sql, cutoff, cell?.id ?? null)}
    order by b.created_at, b.id
    limit ${MAX_REPAIR_LIMIT + 1}`;
  return {
    more: rows.length > MAX_REPAIR_LIMIT,
    rows: rows.slice(0, MAX_REPAIR_LIMIT).map((r) => ({
      key: `build_requests:${r.id}`,
      table: 'build_requests',
      id: r.id,
      cell: { uuid: r.cell_uuid, name: r.cell_name },
      instanceUuid: r.instance_uuid,
      projectId: r.project_id,
      host: null,
      node: null,
      createdAt: utcDate(r.created_at),
      note: null,
      advice: null,
    })),
  };
}
