import { applyMigrations, readSchemaStatus, type SchemaStatus } from '@/db/migrate';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel, readCellMappings } from './mappings';

export interface SyncResult {
  target: string;
  ok: boolean;
  before: SchemaStatus | null;
  after: SchemaStatus | null;
  error: string | null;
}

/** `db sync` for the api database: apply pending migrations. */
export async function syncApiSchema(deps: Deps): Promise<SyncResult> {
  const before = await readSchemaStatus(deps.api.sql, 'api');
  await applyMigrations(deps.api, 'api');
  return { target: 'api database', ok: true, before, after: await readSchemaStatus(deps.api.sql, 'api'), error: null };
}

/**
 * `db sync --cell_uuid U` / `--all-cells`: migrate cell databases, all at once. One cell
 * failing does not stop the others; each result says what happened.
 */
export async function syncCellSchemas(deps: Deps, opts: { cellUuid?: string }): Promise<SyncResult[]> {
  const all = await readCellMappings(deps.api);
  const cells = opts.cellUuid ? all.filter((c) => c.uuid === opts.cellUuid) : all;
  if (opts.cellUuid && cells.length === 0) throw refuse.notFound(`Cell with uuid ${opts.cellUuid} was not found.`, 1);
  return Promise.all(
    cells.map(async (cell): Promise<SyncResult> => {
      const target = `cell ${cellLabel(cell)} (${cell.uuid})`;
      try {
        const handle = deps.registry.handleFor(cell);
        const before = await readSchemaStatus(handle.sql, 'cell');
        await applyMigrations(handle, 'cell');
        return { target, ok: true, before, after: await readSchemaStatus(handle.sql, 'cell'), error: null };
      } catch (e) {
        return { target, ok: false, before: null, after: null, error: (e as Error).message };
      }
    }),
  );
}
