import 'server-only';
/**
 * Host mappings to a cell whose database has no live compute node (compute_nodes,
 * deleted = 0) and no live nova-compute service for the host: the checks' "host is in a
 * cell" (server/checks/drift.ts). Reported only, with nova's delete_host to run: it
 * checks the host's instances first, which only an operator can weigh.
 */
import { fanOut } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import { downCell, type DownCell } from '../cells/cell-ref';
import type { CellMapping } from '../cells/mappings';
import type { Deps } from '../deps';
import { deleteHostCommand, MAX_REPAIR_LIMIT, type RepairRow } from './repair-kinds';

export async function findStaleHostMappings(
  deps: Pick<Deps, 'api' | 'registry' | 'deadlineMs'>,
  cells: readonly CellMapping[],
): Promise<{ rows: RepairRow[]; more: boolean; down: DownCell[] }> {
  const mappings = await deps.api.sql<{ id: number; host: string; cell_id: number; created_at: string | null }[]>`
    select id, host, cell_id, created_at::text as created_at from host_mappings
    where cell_id = any(${cells.map((c) => c.id)}::int[]) order by host`;
  const byCell = new Map<number, (typeof mappings)[number][]>();
  for (const m of mappings) byCell.set(m.cell_id, [...(byCell.get(m.cell_id) ?? []), m]);
  const asked = cells.filter((c) => byCell.has(c.id));
  const outcomes = await fanOut(
    deps.registry,
    asked,
    async ({ cell, handle }) => {
      const hosts = (byCell.get(cell.id) ?? []).map((m) => m.host);
      const absent = await handle.sql<{ host: string }[]>`
        select h.host from unnest(${hosts}::text[]) as h(host)
        where not exists (select 1 from compute_nodes n where n.deleted = 0 and n.host = h.host)
          and not exists (select 1 from services s where s.deleted = 0 and s."binary" = 'nova-compute' and s.host = h.host)`;
      return new Set(absent.map((r) => r.host));
    },
    { deadlineMs: deps.deadlineMs },
  );
  const rows: RepairRow[] = [];
  const down: DownCell[] = [];
  for (const [i, o] of outcomes.entries()) {
    const cell = asked[i]!;
    if (o.status === 'down') {
      down.push(downCell(o));
      continue;
    }
    for (const m of byCell.get(cell.id) ?? []) {
      if (!o.value.has(m.host)) continue;
      rows.push({
        key: `host_mappings:${m.id}`,
        table: 'host_mappings',
        id: m.id,
        cell: { uuid: cell.uuid, name: cell.name },
        instanceUuid: null,
        projectId: null,
        host: m.host,
        node: null,
        createdAt: utcDate(m.created_at),
        note: null,
        advice: deleteHostCommand(cell.uuid, m.host),
      });
    }
  }
  rows.sort((a, b) => a.host!.localeCompare(b.host!));
  return { rows: rows.slice(0, MAX_REPAIR_LIMIT), more: rows.length > MAX_REPAIR_LIMIT, down };
}
