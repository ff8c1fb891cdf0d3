import type { Command } from 'commander';
import { cellUuidSchema } from '../cells/cell-ref';
import { syncApiSchema, syncCellSchemas, type SyncResult } from '../cells/db-sync';
import { ExitCode } from './exit';
import { withDeps } from './session';

function printSync(results: SyncResult[], json: boolean) {
  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  for (const r of results) {
    if (r.ok) console.log(r.line);
    else console.error(`${r.target}: failed: ${r.error}`);
  }
}

export function registerDbCommands(program: Command) {
  const db = program.command('db').description('Database schema commands');
  db.command('sync')
    .description('Apply migrations: the api database (default), one cell (--cell_uuid) or the api database and every cell (--all-cells)')
    .option('--cell_uuid <uuid>', 'migrate only this cell database')
    .option('--all-cells', 'migrate the api database and every cell database')
    .option('--json', 'print the results as JSON')
    .action(async (o: { cell_uuid?: string; allCells?: boolean; json?: boolean }) => {
      if (o.cell_uuid && o.allCells) {
        console.error('Use either --cell_uuid or --all-cells, not both.');
        throw new ExitCode(1);
      }
      const parsed = o.cell_uuid === undefined ? undefined : cellUuidSchema.safeParse(o.cell_uuid.trim());
      if (parsed && !parsed.success) {
        console.error(`--cell_uuid: ${parsed.error.issues[0]!.message}`);
        throw new ExitCode(1);
      }
      const cellUuid = parsed?.data;
      const results = await withDeps(async (deps) => {
        if (cellUuid) return syncCellSchemas(deps, { cellUuid });
        const api = await syncApiSchema(deps);
        return o.allCells ? [api, ...(await syncCellSchemas(deps, {}))] : [api];
      });
      printSync(results, Boolean(o.json));
      if (results.some((r) => !r.ok)) throw new ExitCode(1);
    });
}
