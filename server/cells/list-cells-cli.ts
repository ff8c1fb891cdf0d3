import 'server-only';
/**
 * list_cells (nova-manage cell_v2): every cell mapping sorted by name (a NULL name sorts
 * as ''), URLs masked unless verbose. Masking is maskUrl's, per netloc, not nova's greedy
 * `:.*@`, so a multi-host transport URL keeps its hosts. URLs are shown as stored:
 * a template stays a template (nova shows it expanded with the reading host's config).
 */
import { maskUrl } from '@/db/url';
import type { Deps } from '../deps';
import { readCellMappings } from './mappings';

export interface CellListing {
  name: string;
  uuid: string;
  transport_url: string | null;
  database_connection: string | null;
  disabled: boolean;
}

export async function listCellMappings(deps: Deps, opts: { verbose?: boolean } = {}): Promise<CellListing[]> {
  const cells = await readCellMappings(deps.api);
  const rows = cells.map((c) => ({
    name: c.name ?? '',
    uuid: c.uuid,
    transport_url: opts.verbose ? c.transportUrl : maskUrl(c.transportUrl),
    database_connection: opts.verbose ? c.databaseConnection : maskUrl(c.databaseConnection),
    disabled: c.disabled,
  }));
  // Python's sorted(): code-point order, stable (ties keep nova's id order).
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
