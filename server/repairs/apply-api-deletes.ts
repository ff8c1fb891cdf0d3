import 'server-only';
/**
 * The api-database repairs: orphaned instance mappings and build requests of placed
 * instances are deleted, one statement per batch (`where id = any(...) and <the finding's
 * condition, still>`), and each returned row gets its audit row in the same transaction:
 * either both are there or neither is. A row that stopped qualifying since the dry run is
 * not returned, so not deleted and not audited.
 */
import type { ApiHandle } from '@/db/connect';
import type { Deps } from '../deps';
import { type ChangedRow, type RepairActor, auditChangedRows } from './audit-repair';
import { ORPHAN_AFTER_MINUTES, orphanRepairWhere } from './find-orphan-mappings';
import { PLACED_AFTER_MINUTES, placedBuildRequestWhere } from './find-placed-build-requests';
import { cutoffText } from './repair-cells';

export async function deleteOrphanMappings(deps: Pick<Deps, 'api' | 'now'>, ids: readonly number[], actor: RepairActor): Promise<number> {
  const cutoff = cutoffText(deps.now(), ORPHAN_AFTER_MINUTES);
  return deps.api.sql.begin(async (tx) => {
    const sql = tx as unknown as ApiHandle['sql'];
    const gone = await sql<
      { id: number; instance_uuid: string; project_id: string; user_id: string | null; queued_for_delete: boolean | null; created_at: string | null }[]
    >`
      delete from instance_mappings m
      where m.id = any(${[...ids]}::int[]) and ${orphanRepairWhere(sql, cutoff)}
      returning m.id, m.instance_uuid, m.project_id, m.user_id, m.queued_for_delete, m.created_at::text as created_at`;
    const changed: ChangedRow[] = gone.map((r) => ({ target: `instance ${r.instance_uuid}`, row: { table: 'instance_mappings', cellId: null, ...r } }));
    await auditChangedRows(deps, sql, 'orphan_instance_mappings', actor, changed);
    return gone.length;
  });
}

export async function deletePlacedBuildRequests(deps: Pick<Deps, 'api' | 'now'>, ids: readonly number[], actor: RepairActor): Promise<number> {
  const cutoff = cutoffText(deps.now(), PLACED_AFTER_MINUTES);
  return deps.api.sql.begin(async (tx) => {
    const sql = tx as unknown as ApiHandle['sql'];
    const gone = await sql<{ id: number; instance_uuid: string | null; project_id: string; created_at: string | null; cell_uuid: string | null }[]>`
      delete from build_requests b
      where b.id = any(${[...ids]}::int[]) and ${placedBuildRequestWhere(sql, cutoff, null)}
      returning b.id, b.instance_uuid, b.project_id, b.created_at::text as created_at,
        (select c.uuid from instance_mappings m join cell_mappings c on c.id = m.cell_id where m.instance_uuid = b.instance_uuid) as cell_uuid`;
    const changed: ChangedRow[] = gone.map((r) => ({
      target: `instance ${r.instance_uuid}; build request ${r.id}${r.cell_uuid ? `; cell ${r.cell_uuid}` : ''}`,
      row: { table: 'build_requests', ...r },
    }));
    await auditChangedRows(deps, sql, 'placed_build_requests', actor, changed);
    return gone.length;
  });
}
