/**
 * `cellar`: nova-manage cell_v2's verbs, options, messages and exit codes over the same
 * domain functions as the console. A refusal exits with nova's code and its message; an
 * unexpected error exits 1 with one plain line (nova prints a traceback and exits 255).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '@/db/config';
import { syncApiSchema, syncCellSchemas, type SyncResult } from '../cells/db-sync';
import { isCellarError } from '../errors';
import { withDeps } from './session';

export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function printSync(results: SyncResult[], json: boolean) {
  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  for (const r of results) {
    if (r.ok) console.log(`${r.target}: ${r.before?.state === 'current' ? 'already current' : `migrated (${r.after?.summary})`}`);
    else console.error(`${r.target}: failed: ${r.error}`);
  }
}

export function buildProgram(): Command {
  const program = new Command('cellar')
    .description('Cellar: nova-manage cell_v2 for a cells v2 control plane, over the same code as the console.')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });

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
      const results = await withDeps(async (deps) => {
        if (o.cell_uuid) return syncCellSchemas(deps, { cellUuid: o.cell_uuid });
        const api = await syncApiSchema(deps);
        return o.allCells ? [api, ...(await syncCellSchemas(deps, {}))] : [api];
      });
      printSync(results, Boolean(o.json));
      if (results.some((r) => !r.ok)) throw new ExitCode(1);
    });

  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof ConfigError) {
      console.error(`cellar: configuration error: ${e.message}`);
      return 2;
    }
    if (isCellarError(e)) {
      console.error(e.message);
      return e.exitCode;
    }
    console.error(`An error has occurred: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}
