import type { Command } from 'commander';
import { cellUuidSchema } from '../cells/cell-ref';
import { syncApiSchema, syncCellSchemas, type SyncResult } from '../cells/db-sync';
import { archiveDeletedRows, archiveDryRun } from '../archive/archive-deleted-rows';
import { ARCHIVE_EXIT, type DryRun, DEFAULT_MAX_ROWS, PURGE_EXIT, parseBefore } from '../archive/contract';
import { purgeDryRun, purgeShadowTables } from '../archive/purge-shadow';
import { isCellarError } from '../errors';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

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
  registerArchiveCommands(db);
}

interface ArchiveCliOptions {
  max_rows?: string;
  before?: string;
  cell_uuid?: string;
  allCells?: boolean;
  untilComplete?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  json?: boolean;
  all?: boolean;
}

/** --cell_uuid U or --all-cells, exactly one (nova's default, the local [database]/connection, has no Cellar equivalent). */
function chooseCell(o: ArchiveCliOptions, usageExit: number): string | null {
  if (Boolean(o.cell_uuid) === Boolean(o.allCells)) {
    console.error('Name the cells: --cell_uuid U for one cell, or --all-cells for every cell (cell0 first).');
    throw new ExitCode(usageExit);
  }
  if (!o.cell_uuid) return null;
  const parsed = cellUuidSchema.safeParse(o.cell_uuid.trim());
  if (!parsed.success) {
    console.error(`--cell_uuid: ${parsed.error.issues[0]!.message}`);
    throw new ExitCode(usageExit);
  }
  return parsed.data;
}

function printDryRun(d: DryRun, json: boolean, what: string) {
  if (json) {
    console.log(JSON.stringify({ dryRun: true, ...d }, null, 2));
    return;
  }
  const rows: (string | number)[][] = [];
  for (const c of d.cells) {
    if (c.status === 'down') rows.push([`${c.name ?? c.uuid}`, '(does not answer)', c.message ?? '']);
    for (const [t, n] of Object.entries(c.tables).sort()) rows.push([c.name ?? c.uuid, t, n]);
  }
  for (const [t, n] of Object.entries(d.api)) rows.push(['API_DB', t, n]);
  if (rows.length === 0) console.log(`Nothing would be ${what}.`);
  else console.log(prettyTable(['Cell', 'Table', `Rows that would be ${what}`], rows));
  for (const c of d.cells) for (const s of c.skipped) console.error(`${c.name ?? c.uuid}: ${s.table} is skipped (${s.why}), as nova skips it.`);
  console.log(`Dry run: nothing was changed.`);
}

/** A refusal of the domain code (bad max_rows, api database down, cell not found): its line and its exit code. */
async function refusalsAsExit<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isCellarError(e)) {
      console.error(e.message);
      throw new ExitCode(e.exitCode);
    }
    throw e;
  }
}

export function registerArchiveCommands(db: Command) {
  db.command('archive_deleted_rows')
    .description("Move soft-deleted rows (deleted != 0) of the cell databases into nova's shadow_* tables, and delete the api rows of the archived instances")
    .option('--max_rows <number>', `Maximum number of deleted rows to archive (default ${DEFAULT_MAX_ROWS}); with --until-complete, the size of each batch.`)
    .option('--before <date>', 'Archive rows deleted before this date: YYYY-MM-DD [HH:mm:ss] (UTC), ISO 8601, or what `date` prints.')
    .option('--cell_uuid <uuid>', 'Archive this cell only.')
    .option('--all-cells', 'Run across all cells: cell0 first, then the others, one at a time.')
    .option('--until-complete', 'Run until all deleted rows are archived, max_rows at a time.')
    .option('--dry-run', 'Print what would be archived per cell and table, and change nothing.')
    .option('--verbose', 'Print how many rows were archived per table.')
    .option('--json', 'Print the result as JSON.')
    .addHelpText(
      'after',
      `
Exit codes (nova-manage's): 0 nothing archived; 1 some rows were archived (automation runs it
again while it exits 1); 2 bad --max_rows (or neither/both of --cell_uuid and --all-cells);
3 the api database does not answer (also when it cannot be reached at all: nothing runs, as
its audit row cannot be written); 4 bad --before; 255 a cell does not answer (the other cells
are still archived), or an unknown --cell_uuid.

What moves, as nova: per table in nova's order, its soft-deleted rows (lowest ids first, up to
what is left of --max_rows) and every row referring to them by foreign key (instance_extra,
instance_faults, instance_actions and their events, …), children before parents. Then the api
database's instance_mappings, request_specs and instance_group_member of the archived instances
are deleted. Tables without a shadow table (tags, console_auth_tokens) are skipped.

Where Cellar differs from nova-manage:
  - Each table's move is one statement (DELETE … RETURNING into INSERT INTO shadow_…) and each
    batch one transaction on the cell: a kill leaves no row half moved.
  - A cell that does not answer is reported and skipped; nova stops there with a traceback (255).
  - Without --all-cells a cell must be named (--cell_uuid); nova uses [database]/connection.
  - --dry-run is Cellar's (exit 0, or 255 if a cell does not answer); --purge, --task-log and
    --sleep are not offered (run 'cellar db purge' after).
  - A summary is printed without --verbose too.`,
    )
    .action(async (o: ArchiveCliOptions) => {
      const maxRows = o.max_rows === undefined ? DEFAULT_MAX_ROWS : /^\s*[+-]?\d+\s*$/.test(o.max_rows) ? Number(o.max_rows) : Number.NaN;
      if (Number.isNaN(maxRows)) {
        console.error(`argument --max_rows: invalid int value: '${o.max_rows}'`);
        throw new ExitCode(ARCHIVE_EXIT.badMaxRows);
      }
      const cellUuid = chooseCell(o, ARCHIVE_EXIT.badMaxRows);
      const before = o.before === undefined ? null : parseBefore(o.before);
      if (o.before !== undefined && !before) {
        console.error(`Invalid value for --before: String does not contain a date: ${o.before}`);
        throw new ExitCode(ARCHIVE_EXIT.badBefore);
      }
      if (o.dryRun) {
        const d = await refusalsAsExit(() => withDeps((deps) => archiveDryRun(deps, { before, cellUuid }), { quiet: o.json }));
        printDryRun(d, Boolean(o.json), 'archived');
        if (d.cells.some((c) => c.status === 'down')) throw new ExitCode(ARCHIVE_EXIT.failed);
        return;
      }
      if (o.untilComplete && o.verbose && !o.json) process.stdout.write('Archiving..');
      const r = await refusalsAsExit(() =>
        withDeps(
          (deps) =>
            archiveDeletedRows(deps, {
              maxRows,
              before,
              cellUuid,
              untilComplete: o.untilComplete,
              onBatch: () => {
                if (o.untilComplete && o.verbose && !o.json) process.stdout.write('.');
              },
            }),
          { quiet: o.json },
        ),
      );
      if (o.untilComplete && o.verbose && !o.json) console.log('.complete');
      for (const w of r.warnings) console.error(w);
      for (const c of r.cells) if (c.down) console.error(c.down);
      if (o.json) {
        console.log(JSON.stringify({ exitCode: r.exitCode, total: r.total, rows: r.rows, cells: r.cells }, null, 2));
      } else if (o.verbose) {
        const keys = Object.keys(r.rows).sort();
        console.log(
          keys.length
            ? prettyTable(
                ['Table', 'Number of Rows Archived'],
                keys.map((k) => [k, r.rows[k]!]),
              )
            : 'Nothing was archived.',
        );
      } else {
        console.log(r.total ? `Archived ${r.total.toLocaleString('en')} rows.` : 'Nothing was archived.');
      }
      if (r.exitCode !== 0) throw new ExitCode(r.exitCode);
    });

  db.command('purge')
    .description('Delete rows from the shadow_* tables of the cell databases: those older than --before, or all of them with --all')
    .option('--before <date>', 'Purge rows older than this: YYYY-MM-DD [HH:mm:ss] (UTC), ISO 8601, or what `date` prints.')
    .option('--all', 'Purge all rows in the shadow tables.')
    .option('--cell_uuid <uuid>', 'Purge this cell only.')
    .option('--all-cells', 'Run against all cell databases, one at a time.')
    .option('--dry-run', 'Print what would be purged per cell and table, and change nothing.')
    .option('--verbose', 'Print information about purged records.')
    .option('--json', 'Print the result as JSON.')
    .addHelpText(
      'after',
      `
Exit codes (nova-manage's): 0 rows were purged; 1 neither --before nor --all (or neither/both
of --cell_uuid and --all-cells); 2 bad --before; 3 nothing was purged; 4 the api database does
not answer (also when it cannot be reached at all: nothing runs); 255 a cell does not answer
(the others are still purged), or an unknown --cell_uuid.

Which rows: deleted_at < --before; shadow_instance_actions and shadow_instance_actions_events
by created_at, shadow_task_log by updated_at (nova's overrides); a table with no timestamp
column is skipped with a message. One DELETE per shadow table, one transaction per cell.
Where Cellar differs: a down cell is reported and skipped (nova stops with 255); --dry-run and
--json are Cellar's; without --all-cells a cell must be named.`,
    )
    .action(async (o: ArchiveCliOptions) => {
      if (o.before === undefined && !o.all) {
        console.error('Either --before or --all is required');
        throw new ExitCode(PURGE_EXIT.needBeforeOrAll);
      }
      const before = o.before === undefined ? null : parseBefore(o.before);
      if (o.before !== undefined && !before) {
        console.error(`Invalid value for --before: String does not contain a date: ${o.before}`);
        throw new ExitCode(PURGE_EXIT.badBefore);
      }
      const cellUuid = chooseCell(o, PURGE_EXIT.needBeforeOrAll);
      if (o.dryRun) {
        const d = await refusalsAsExit(() => withDeps((deps) => purgeDryRun(deps, { before, cellUuid }), { quiet: o.json }));
        printDryRun(d, Boolean(o.json), 'purged');
        if (d.cells.some((c) => c.status === 'down')) throw new ExitCode(PURGE_EXIT.failed);
        return;
      }
      const r = await refusalsAsExit(() => withDeps((deps) => purgeShadowTables(deps, { before, cellUuid }), { quiet: o.json }));
      for (const c of r.cells) {
        if (c.down) console.error(c.down);
        if (o.verbose && !o.json) for (const l of c.lines) console.log(`Cell ${c.uuid}(${c.name ?? ''}): ${l}`);
      }
      if (o.json) console.log(JSON.stringify(r, null, 2));
      if (r.exitCode !== 0) throw new ExitCode(r.exitCode);
    });
}
