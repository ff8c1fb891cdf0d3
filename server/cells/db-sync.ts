import 'server-only';
import { applyMigrations, describeMigration, readSchemaStatus, type SchemaStatus } from '@/db/migrate';
import type { Deps } from '../deps';
import { cellLabel, cellNotFound } from './cell-ref';
import { readCellMappings } from './mappings';

export interface SyncResult {
  target: string;
  ok: boolean;
  before: SchemaStatus | null;
  after: SchemaStatus | null;
  /** Migrations applied by this run. */
  applied: number;
  /** What was found and what was done, in one line (a nova-made cell: "changes nothing in it"). */
  line: string;
  error: string | null;
}

/** `db sync` for the api database: Cellar's own schema; nova-compatible tables only where Cellar made the database. */
export async function syncApiSchema(deps: Deps): Promise<SyncResult> {
  const target = 'api database';
  const before = await readSchemaStatus(deps.api.sql, 'api');
  const report = await applyMigrations(deps.api, 'api');
  return { target, ok: true, before, after: report.status, applied: report.applied, line: describeMigration(target, report), error: null };
}

/**
 * `db sync --cell_uuid U` / `--all-cells`: migrate the cell databases Cellar made, all at
 * once; a cell nova made is left exactly as it is and the result says so. One cell
 * failing does not stop the others; each result says what happened.
 */
export async function syncCellSchemas(deps: Deps, opts: { cellUuid?: string }): Promise<SyncResult[]> {
  const all = await readCellMappings(deps.api);
  const cells = opts.cellUuid ? all.filter((c) => c.uuid === opts.cellUuid) : all;
  if (opts.cellUuid && cells.length === 0) throw cellNotFound(opts.cellUuid, 1);
  return Promise.all(
    cells.map(async (cell): Promise<SyncResult> => {
      const target = `cell ${cellLabel(cell)} (${cell.uuid})`;
      try {
        const handle = deps.registry.handleFor(cell);
        const before = await readSchemaStatus(handle.sql, 'cell');
        const report = await applyMigrations(handle, 'cell');
        return { target, ok: true, before, after: report.status, applied: report.applied, line: describeMigration(target, report), error: null };
      } catch (e) {
        return { target, ok: false, before: null, after: null, applied: 0, line: `${target}: failed`, error: (e as Error).message };
      }
    }),
  );
}
