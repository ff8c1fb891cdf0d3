import 'server-only';
import type { ApiHandle } from '@/db/connect';
import type { CellSummary } from '../cells/cell-ref';

/** host → the cell it is mapped to, for those of `hosts` that have a host mapping: one query. */
export async function readHostCells(api: ApiHandle, hosts: string[]): Promise<Map<string, CellSummary>> {
  if (hosts.length === 0) return new Map();
  const rows = await api.sql<{ host: string; uuid: string; name: string | null }[]>`
    select h.host, c.uuid, c.name
    from host_mappings h join cell_mappings c on c.id = h.cell_id
    where h.host = any(${hosts}::text[])`;
  return new Map(rows.map((r) => [r.host, { uuid: r.uuid, name: r.name }]));
}
