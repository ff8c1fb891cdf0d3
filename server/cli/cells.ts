/**
 * nova-manage cell_v2's cell verbs: simple_cell_setup, map_cell0, create_cell,
 * list_cells, update_cell and delete_cell (map_instances: server/cli/map-instances.ts), with nova's options, messages
 * and exit codes, over the same domain functions as the console. What nova prints goes
 * to stdout; refusals, warnings and restart notices go to stderr, so a script reading
 * stdout (create_cell --verbose prints the uuid) gets what nova would give it.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { config } from '@/db/config';
import { isCellarError } from '../errors';
import { cellUuidSchema } from '../cells/cell-ref';
import { createCell } from '../cells/create-cell';
import { deleteCell } from '../cells/delete-cell';
import { listCellMappings } from '../cells/list-cells-cli';
import { defaultCell0Connection, mapCell0 } from '../cells/map-cell0';
import { simpleCellSetup } from '../cells/simple-cell-setup';
import { updateCell } from '../cells/update-cell';
import type { Deps } from '../deps';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

const DIFFERENCES = `
Where the cell commands differ from nova-manage cell_v2, on purpose:
  - A missing --transport-url has no fallback (Cellar has no [DEFAULT]/transport_url); a missing
    --database_connection falls back to CELLAR_DATABASE_URL (nova: [database]/connection).
  - Database URLs must be PostgreSQL; a mysql+pymysql:// URL is refused with a plain message.
  - list_cells masks every password of every host (nova's greedy ':.*@' mask loses hosts).
  - update_cell --name changes only the name (nova also rewrites the URLs from its config).
  - An unexpected error exits 1 with one plain line (nova: 255 and a traceback).`;

/** Restart/SIGHUP notices and warnings: on stderr, so stdout stays what nova prints. */
function note(lines: string[]) {
  for (const l of lines) console.error(l);
}

/** A refusal prints nova's own words when the console's differ, and exits with nova's code. */
function novaAction<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (!isCellarError(e)) throw e;
      const nova = e.details?.novaMessage;
      console.error(typeof nova === 'string' ? nova : e.message);
      throw new ExitCode(e.exitCode);
    }
  };
}

/** Options through zod: a bad value is one plain line and exit 1. */
function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  console.error(issue.path.length ? `--${String(issue.path[0])}: ${issue.message}` : issue.message);
  throw new ExitCode(1);
}

const text = z.string().trim();
const optionalText = text.optional();
const cellUuidOption = text.min(1, 'a cell uuid is required').pipe(cellUuidSchema);

function requireTransportUrl(given: string | undefined): string {
  if (given?.trim()) return given;
  console.error('Must specify --transport-url: Cellar has no [DEFAULT]/transport_url to fall back to.');
  throw new ExitCode(1);
}

function databaseConnectionOrConfig(given: string | undefined): string {
  if (given?.trim()) return given;
  const fallback = config().CELLAR_DATABASE_URL;
  if (fallback) return fallback;
  console.error('Must specify --database_connection if CELLAR_DATABASE_URL is not set.');
  throw new ExitCode(1);
}

const deps = <T>(fn: (d: Deps) => Promise<T>) => withDeps(fn);

export function registerCellsCommands(program: Command) {
  program.addHelpText('after', DIFFERENCES);

  program
    .command('simple_cell_setup')
    .description('Map cell0 (and migrate it), map the cell of CELLAR_DATABASE_URL with all its compute hosts, and map its instances')
    .option('--transport-url <url>', 'the transport URL of the cell (required: Cellar has no default)')
    .addHelpText(
      'after',
      `
Exit codes: 0 done or already done; 1 transport URL missing or invalid, or no compute hosts
in the database CELLAR_DATABASE_URL names ("No hosts found to map to cell, exiting.").
Not nova: a cell already mapped to that database is re-used instead of a second one created.`,
    )
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(z.object({ transportUrl: optionalText }), raw);
        const transportUrl = requireTransportUrl(o.transportUrl);
        const r = await deps((d) => simpleCellSetup(d, { transportUrl, databaseConnection: databaseConnectionOrConfig(undefined) }));
        for (const m of r.messages) console.log(m);
        note(r.notices);
        if (r.exitCode !== 0) throw new ExitCode(r.exitCode);
      }),
    );

  program
    .command('map_cell0')
    .description('Create the cell0 mapping (uuid 00000000-0000-0000-0000-000000000000, transport none:///)')
    .option('--database_connection <url>', "cell0's database (default: CELLAR_DATABASE_URL with _cell0 added to the database name)")
    .addHelpText('after', '\nExit code 0, also when cell0 is already mapped ("Cell0 is already setup"); 1 for a database URL Cellar cannot use.')
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(z.object({ database_connection: optionalText }), raw);
        const r = await deps(async (d) => {
          const databaseConnection = o.database_connection || defaultCell0Connection(databaseConnectionOrConfig(undefined));
          return mapCell0(d, { databaseConnection });
        });
        if (r.message) console.log(r.message);
      }),
    );

  program
    .command('create_cell')
    .description('Create a cell mapping')
    .option('--name <name>', 'a name for the cell (not unique; may be left out)')
    .option('--database_connection <url>', "the cell's database (default: CELLAR_DATABASE_URL); may be a {hostname}-style template")
    .option('--transport-url <url>', 'the transport URL of the cell (required: Cellar has no default)')
    .option('--verbose', 'print the new cell uuid')
    .option('--disabled', 'create the cell disabled (the scheduler will not pick it)')
    .addHelpText(
      'after',
      `
Exit codes: 0 created; 1 transport or database URL missing or invalid; 2 another cell has the same
transport URL or, templates expanded on both sides, the same database (same database name and user
on a shared host:port; nova expands only the stored side, so it lets a template after a literal URL
for the same database through). The duplicate check and the insert are one atomic step, so
concurrent runs with the same URLs create exactly one cell. Unlike nova, the database is probed and
a warning printed when it does not answer or has no current cell schema (run: cellar db sync --cell_uuid U).`,
    )
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(
          z.object({
            name: text.max(255, 'a cell name is at most 255 characters').optional(),
            database_connection: optionalText,
            transportUrl: optionalText,
            verbose: z.boolean().optional(),
            disabled: z.boolean().optional(),
          }),
          raw,
        );
        const transportUrl = requireTransportUrl(o.transportUrl);
        const r = await deps(async (d) =>
          createCell(
            d,
            { name: o.name, transportUrl, databaseConnection: databaseConnectionOrConfig(o.database_connection), disabled: Boolean(o.disabled) },
            { verify: 'warn' },
          ),
        );
        if (o.verbose) console.log(r.cell.uuid);
        note([...r.warnings.map((w) => `Warning: ${w}`), r.notice]);
      }),
    );

  program
    .command('list_cells')
    .description('List cell mappings: Name, UUID, Transport URL, Database Connection, Disabled, sorted by name')
    .option('--verbose', 'show URLs unmasked, passwords included')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', "\nPasswords are masked per host (nova's greedy mask loses the hosts of a multi-host URL); URLs are shown as stored.")
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(z.object({ verbose: z.boolean().optional(), json: z.boolean().optional() }), raw);
        const rows = await deps((d) => listCellMappings(d, { verbose: o.verbose }));
        if (o.json) {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        console.log(
          prettyTable(
            ['Name', 'UUID', 'Transport URL', 'Database Connection', 'Disabled'],
            rows.map((r) => [r.name, r.uuid, r.transport_url, r.database_connection, r.disabled ? 'True' : 'False']),
          ),
        );
      }),
    );

  program
    .command('update_cell')
    .description('Update a cell mapping: name, URLs, enabled or disabled')
    .requiredOption('--cell_uuid <uuid>', 'the cell to update')
    .option('--name <name>', 'a new name (only the name changes)')
    .option('--transport-url <url>', 'a new transport URL')
    .option('--database_connection <url>', 'a new database connection')
    .option('--disable', 'disable the cell')
    .option('--enable', 'enable the cell')
    .addHelpText(
      'after',
      `
Exit codes: 0 updated (also "Cell U is already disabled"); 1 cell not found; 2 a URL Cellar cannot
use (nova prints "Invalid transport URL" and exits 0 leaving it unchanged); 3 another cell has the
transport URL or, templates expanded, the database (as create_cell);
4 --disable with --enable; 5 cell0 ("Cell0 cannot be disabled.").
Unlike nova, an option that is not given is not filled in from configuration: --name changes only the name.`,
    )
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(
          z.object({
            cell_uuid: cellUuidOption,
            name: text.max(255, 'a cell name is at most 255 characters').optional(),
            transportUrl: optionalText,
            database_connection: optionalText,
            disable: z.boolean().optional(),
            enable: z.boolean().optional(),
          }),
          raw,
        );
        const r = await deps((d) =>
          updateCell(d, {
            cellUuid: o.cell_uuid,
            name: o.name,
            transportUrl: o.transportUrl,
            databaseConnection: o.database_connection,
            disable: o.disable,
            enable: o.enable,
          }),
        );
        for (const m of r.messages) console.log(m);
        note(r.notices);
      }),
    );

  program
    .command('delete_cell')
    .description('Delete a cell mapping')
    .requiredOption('--cell_uuid <uuid>', 'the cell to delete')
    .option('--force', 'also delete its host mappings and the instance mappings of its deleted instances')
    .addHelpText(
      'after',
      `
Exit codes: 0 deleted; 1 cell not found (or its database does not answer when it must be read);
2 hosts are mapped to it (without --force); 3 it has live instances (even with --force); 4 instance
mappings of deleted instances remain (without --force: archive them, nova-manage db archive_deleted_rows).
--force deletes the instance mappings, sets mapped = 0 on the cell's compute nodes, deletes the host
mappings, then the cell mapping. If the cell database must be read and does not answer, nothing is deleted.`,
    )
    .action(
      novaAction(async (raw: unknown) => {
        const o = parseOptions(z.object({ cell_uuid: cellUuidOption, force: z.boolean().optional() }), raw);
        const r = await deps((d) => deleteCell(d, { cellUuid: o.cell_uuid, force: o.force }));
        const removed = [
          r.deleted.hostMappings ? `${r.deleted.hostMappings} host mapping(s)` : null,
          r.deleted.instanceMappings ? `${r.deleted.instanceMappings} instance mapping(s)` : null,
        ].filter(Boolean);
        if (removed.length || r.computeNodesUnmapped) {
          note([
            `Deleted ${removed.join(' and ') || 'no mappings'}${r.computeNodesUnmapped ? `; set mapped = 0 on ${r.computeNodesUnmapped} compute node(s)` : ''}.`,
          ]);
        }
        note([r.notice]);
      }),
    );
}
