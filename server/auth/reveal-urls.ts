import 'server-only';
import { eq } from 'drizzle-orm';
import { cellMappings } from '@/db/api/schema';
import type { Deps } from '../deps';
import { cellNotFound } from '../cells/cell-ref';

/**
 * A cell's URLs exactly as stored in cell_mappings, passwords included: for an operator
 * who must check or copy them. Templates stay templates (expanding one would reveal
 * Cellar's own database password). The console calls it as an audited mutation.
 */
export async function revealCellUrls(deps: Pick<Deps, 'api'>, cellUuid: string) {
  const [row] = await deps.api.db
    .select({ uuid: cellMappings.uuid, name: cellMappings.name, transportUrl: cellMappings.transportUrl, databaseConnection: cellMappings.databaseConnection })
    .from(cellMappings)
    .where(eq(cellMappings.uuid, cellUuid));
  if (!row) throw cellNotFound(cellUuid, 1);
  return row;
}
