import 'server-only';
/** The cells a repair reads: every cell mapping, or the one --cell_uuid names (refused when there is none). */
import { cellNotFound } from '../cells/cell-ref';
import { type CellMapping, chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { CELL0_UUID } from '../nova/constants';

export async function repairCells(deps: Pick<Deps, 'api'>, cellUuid: string | undefined, opts: { withCell0: boolean }): Promise<CellMapping[]> {
  const mappings = await readCellMappings(deps.api);
  if (cellUuid && !mappings.some((m) => m.uuid === cellUuid)) throw cellNotFound(cellUuid, 1);
  return chooseCells(mappings, cellUuid ? [cellUuid] : null).filter((c) => opts.withCell0 || c.uuid !== CELL0_UUID);
}

/** The cutoff of "older than the stuck threshold", as naive UTC text (the api database's timestamps). */
export function cutoffText(now: Date, minutes: number): string {
  return new Date(now.getTime() - minutes * 60_000).toISOString().replace('T', ' ').replace('Z', '');
}
