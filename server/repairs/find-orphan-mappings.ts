import 'server-only';
/**
 * Orphaned instance mappings: no cell, no build request (the triage list's own definition,
 * orphanMappingsWhere), and older than the stuck threshold, so a delete racing the
 * conductor (§5.4 step 5: it deletes the mapping itself) is left to it.
 */
import type postgres from 'postgres';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { orphanMappingsWhere } from '../triage/build-requests';
import { DEFAULT_STUCK_AFTER_MINUTES } from '../triage/stuck-threshold';
import { MAX_REPAIR_LIMIT, type RepairRow } from './repair-kinds';
import { cutoffText } from './repair-cells';

export const ORPHAN_AFTER_MINUTES = DEFAULT_STUCK_AFTER_MINUTES;

/** The whole condition, on `m`: what the finder lists and what the DELETE checks again. */
export function orphanRepairWhere(sql: postgres.Sql, cutoff: string) {
  return sql`${orphanMappingsWhere(sql)} and m.created_at < ${cutoff}::timestamp`;
}

export async function findOrphanMappings(deps: Pick<Deps, 'api' | 'now'>): Promise<{ rows: RepairRow[]; more: boolean }> {
  const sql = deps.api.sql;
  const cutoff = cutoffText(deps.now(), ORPHAN_AFTER_MINUTES);
  const rows = await sql<{ id: number; instance_uuid: string; project_id: string; queued_for_delete: boolean | null; created_at: string | null }[]>`
    select m.id, m.instance_uuid, m.project_id, m.queued_for_delete, m.created_at::text as created_at
    from instance_mappings m
    where ${orphanRepairWhere(sql, cutoff)}
    order by m.created_at, m.id
    limit ${MAX_REPAIR_LIMIT + 1}`;
  return {
    more: rows.length > MAX_REPAIR_LIMIT,
    rows: rows.slice(0, MAX_REPAIR_LIMIT).map((r) => ({
      key: `instance_mappings:${r.id}`,
      table: 'instance_mappings',
      id: r.id,
      cell: null,
      instanceUuid: r.instance_uuid,
      projectId: r.project_id,
      host: null,
      node: null,
      createdAt: utcDate(r.created_at),
      note: r.queued_for_delete === true ? 'queued for delete' : r.queued_for_delete === null ? 'queued_for_delete not migrated (NULL)' : null,
      advice: null,
    })),
  };
}
