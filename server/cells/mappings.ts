import 'server-only';
import { asc } from 'drizzle-orm';
import { cellMappings } from '@/db/api/schema';
import { coalesced } from '@/db/coalesce';
import type { ApiHandle } from '@/db/connect';
import type { CellRef } from '@/db/registry';
import { maskUrl } from '@/db/url';
import { CELL0_UUID } from '../nova/constants';

export interface CellMapping extends CellRef {
  transportUrl: string | null;
  disabled: boolean;
  createdAt: Date | null;
}

/**
 * All cell mappings, as nova's CellMappingList.get_all: ordered by id. The calls of one
 * moment (a page's per-cell calls) share one read.
 */
export async function readCellMappings(api: ApiHandle): Promise<CellMapping[]> {
  const rows = await coalesced(api, 'cell_mappings', () => api.db.select().from(cellMappings).orderBy(asc(cellMappings.id)));
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    transportUrl: r.transportUrl,
    databaseConnection: r.databaseConnection,
    disabled: r.disabled ?? false,
    createdAt: r.createdAt,
  }));
}

/** What a viewer may see of a mapping: never a password. */
export function publicCell(c: CellMapping) {
  return {
    uuid: c.uuid,
    name: c.name,
    isCell0: c.uuid === CELL0_UUID,
    disabled: c.disabled,
    transportUrl: maskUrl(c.transportUrl),
    databaseConnection: maskUrl(c.databaseConnection),
  };
}

/**
 * The mappings a fan-out asks: all of them, or (a page asking cell by cell, a Retry) only
 * those named, in nova's id order. A uuid no mapping has asks nothing.
 */
export function chooseCells<C extends { uuid: string }>(mappings: readonly C[], cellUuids?: readonly string[] | null): C[] {
  if (!cellUuids) return [...mappings];
  const chosen = new Set(cellUuids);
  return mappings.filter((m) => chosen.has(m.uuid));
}
