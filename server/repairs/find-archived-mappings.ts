import 'server-only';
/**
 * Instance mappings to a cell that has no instances row for the uuid, live or soft-deleted:
 * the instance was archived (moved to shadow_instances) but its mapping stayed, nova's
 * verify_instance exit 4. Reported only, with nova's words. Each cell is read in pages of
 * its mappings (keyset on id), one statement per page in the cell.
 */
import { fanOut } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import { downCell, type DownCell } from '../cells/cell-ref';
import type { CellMapping } from '../cells/mappings';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { ARCHIVED_ADVICE, MAX_REPAIR_LIMIT, type RepairRow } from './repair-kinds';

const PAGE = 5000;

/** The scan reads every mapping of the cell: it gets more time than one page's read. */
const SCAN_DEADLINE_FACTOR = 5;

export async function findArchivedMappings(
  deps: Pick<Deps, 'api' | 'registry' | 'deadlineMs'>,
  cells: readonly CellMapping[],
): Promise<{ rows: RepairRow[]; more: boolean; down: DownCell[] }> {
  type M = { id: number; instance_uuid: string; project_id: string; created_at: string | null };
  const outcomes = await fanOut(
    deps.registry,
    cells,
    async ({ cell, handle, signal }) => {
      const found: M[] = [];
      let after = 0;
      for (;;) {
        signal.throwIfAborted();
        const page = await deps.api.sql<M[]>`
          select id, instance_uuid, project_id, created_at::text as created_at from instance_mappings
          where cell_id = ${cell.id} and id > ${after} and instance_uuid <> ${FAKE_INSTANCE_UUID}
          order by id limit ${PAGE}`;
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        const gone = new Set(
          (
            await handle.sql<{ uuid: string }[]>`
              select u.uuid from unnest(${page.map((m) => m.instance_uuid)}::text[]) as u(uuid)
              where not exists (select 1 from instances i where i.uuid = u.uuid)`
          ).map((r) => r.uuid),
        );
        for (const m of page) if (gone.has(m.instance_uuid)) found.push(m);
        if (found.length > MAX_REPAIR_LIMIT || page.length < PAGE) break;
      }
      return found;
    },
    { deadlineMs: deps.deadlineMs * SCAN_DEADLINE_FACTOR },
  );
  const rows: RepairRow[] = [];
  const down: DownCell[] = [];
  for (const o of outcomes) {
    if (o.status === 'down') {
      down.push(downCell(o));
      continue;
    }
    for (const m of o.value) {
      rows.push({
        key: `instance_mappings:${m.id}`,
        table: 'instance_mappings',
        id: m.id,
        cell: o.cell,
        instanceUuid: m.instance_uuid,
        projectId: m.project_id,
        host: null,
        node: null,
        createdAt: utcDate(m.created_at),
        note: `The instance with uuid ${m.instance_uuid} has been archived.`,
        advice: ARCHIVED_ADVICE,
      });
    }
  }
  return { rows: rows.slice(0, MAX_REPAIR_LIMIT), more: rows.length > MAX_REPAIR_LIMIT, down };
}
