/** nova-manage cell_v2's host verbs: discover_hosts, list_hosts, delete_host. */
import os from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { type CellSummary, cellUuidSchema } from '../cells/cell-ref';
import { deleteHost } from '../hosts/delete-host';
import { type AlreadyMapped, type DiscoverResult, discoverExitCode, discoverHosts } from '../hosts/discover-hosts';
import type { DiscoverySchedule } from '../hosts/contract';
import { readDiscoverySchedule, setDiscoveryPaused } from '../hosts/discovery-schedule';
import { listHostMappings } from '../hosts/list-host-mappings';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

const cellUuidOption = z.string().trim().min(1, '--cell_uuid needs a cell uuid').pipe(cellUuidSchema);
const hostOption = z.string().trim().min(1, '--host needs a host name').max(255, '--host is at most 255 characters');

/** Options through zod: a bad value is one plain line on stderr and exit 1, never a trace. */
function parseOptions<S extends z.ZodType>(schema: S, options: unknown): z.infer<S> {
  const r = schema.safeParse(options);
  if (r.success) return r.data;
  for (const issue of r.error.issues) console.error(issue.message);
  throw new ExitCode(1);
}

const named = (c: CellSummary) => (c.name ? `'${c.name}' (${c.uuid})` : c.uuid);

function whereMapped(a: AlreadyMapped): string {
  if (!a.mappedTo) return 'and unmapped again since';
  return a.drift ? `to cell ${named(a.mappedTo)}, but its compute is in cell ${named(a.cell)}: drift, resolve it by hand` : `to cell ${named(a.mappedTo)}`;
}

/** nova's verbose lines (nova/objects/host_mapping.py), then what Cellar adds. */
function printDiscover(r: DiscoverResult, verbose: boolean) {
  if (verbose) {
    if (!r.cellUuid) console.log(`Found ${r.cellMappings} cell mappings.`);
    if (r.skippedCell0) console.log('Skipping cell0 since it does not contain hosts.');
    for (const s of r.scanned) {
      console.log(s.cell.name ? `Getting computes from cell '${s.cell.name}': ${s.cell.uuid}` : `Getting computes from cell: ${s.cell.uuid}`);
      console.log(`Found ${s.unmapped} unmapped computes in cell: ${s.cell.uuid}`);
    }
    for (const h of r.newlyMapped) console.log(`Creating host mapping for compute host '${h.host}': ${h.sourceUuid ?? h.cell.uuid}`);
  }
  for (const h of r.wouldMap) console.log(`Would create host mapping for compute host '${h.host}' in cell ${named(h.cell)}.`);
  for (const a of r.alreadyMapped) {
    console.log(`Host '${a.host}' was already mapped by someone else meanwhile, ${whereMapped(a)}. Not an error.`);
  }
  for (const m of r.mappedElsewhere) {
    const to = m.mappedTo ? `mapped to cell ${named(m.mappedTo)}` : 'mapped elsewhere';
    console.error(`Host '${m.host}' is live in cell ${named(m.cell)} but ${to}; not mapped again: a host belongs to one cell only.`);
  }
  for (const s of r.skippedCells) {
    console.error(
      `Skipped cell ${named(s)}: it did not answer (${s.reason}: ${s.message}). Its hosts were not looked at; run discover_hosts again when it is back.`,
    );
  }
  for (const s of r.markFailures) {
    console.error(
      `Could not set mapped = 1 on the compute nodes of cell ${named(s)} (${s.reason}: ${s.message}); their hosts are mapped, and the next discover_hosts marks them.`,
    );
  }
  if (r.dryRun) console.log(`Dry run: ${r.wouldMap.length} host${r.wouldMap.length === 1 ? '' : 's'} would be mapped; nothing was written.`);
  else if (verbose) console.log(`Mapped ${r.newlyMapped.length} host${r.newlyMapped.length === 1 ? '' : 's'}.`);
  if (r.restartNotice) console.log(r.restartNotice);
}

const SCHEDULE_ACTIONS = ['pause', 'resume', 'status'] as const;

async function scheduleCommand(o: { schedule?: string; cell_uuid?: string; byService?: boolean; strict?: boolean; dryRun?: boolean; json?: boolean }) {
  const action = o.schedule?.trim().toLowerCase();
  if (!(SCHEDULE_ACTIONS as readonly string[]).includes(action ?? '')) {
    console.error(`--schedule: is one of ${SCHEDULE_ACTIONS.join(', ')}.`);
    throw new ExitCode(1);
  }
  if (o.cell_uuid || o.byService || o.strict || o.dryRun) {
    console.error('--schedule runs no discovery itself: give it without --cell_uuid, --by-service, --strict or --dry-run.');
    throw new ExitCode(1);
  }
  const schedule = await withDeps((deps) =>
    action === 'status' ? readDiscoverySchedule(deps) : setDiscoveryPaused(deps, { paused: action === 'pause', actor: os.userInfo().username }),
  );
  if (o.json) {
    console.log(JSON.stringify(schedule, null, 2));
    return;
  }
  console.log(describeSchedule(schedule).join('\n'));
}

/** The schedule in lines, as `--schedule status` prints it. */
export function describeSchedule(s: DiscoverySchedule): string[] {
  const at = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19);
  const lines = [
    s.paused
      ? `Periodic discovery is paused${s.pausedBy ? ` (by ${s.pausedBy}${s.pausedAt ? ` at ${at(s.pausedAt)} UTC` : ''})` : ''}: no replica starts a run.`
      : 'Periodic discovery is not paused.',
    s.leader
      ? `Leader: ${s.leader}, every ${s.leaderIntervalS} s (lease until ${at(s.leaseUntil!)} UTC).`
      : 'Leader: none (no console replica with CELLAR_DISCOVER_HOSTS_INTERVAL_S is running, or its lease has just run out).',
    s.lastRunAt ? `Last run started ${at(s.lastRunAt)} UTC.` : 'No periodic run yet.',
  ];
  for (const r of s.recentRuns.slice(0, 5))
    lines.push(
      `  ${at(r.startedAt)} on ${r.replica ?? '?'}: ${r.outcome ?? 'running'}, ${r.newlyMapped} newly mapped${r.skippedCells ? `, ${r.skippedCells} cells skipped` : ''}`,
    );
  return lines;
}

export function registerHostsCommands(program: Command) {
  program
    .command('discover_hosts')
    .description('Map compute hosts that have no host mapping to the cell that holds them (all cells except cell0, or --cell_uuid).')
    .option('--cell_uuid <uuid>', 'discover only in this cell')
    .option(
      '--by-service',
      'map the hosts of all nova-compute services (disabled ones too) instead of compute nodes; never touches compute_nodes.mapped (for ironic)',
    )
    .option('--strict', 'exit 1 unless at least one host was newly mapped')
    .option('--verbose', "print nova's progress messages")
    .option('--dry-run', "list what would be mapped; write nothing to nova's tables")
    .option('--json', 'print the result as JSON')
    .option('--schedule <action>', 'periodic discovery on every replica: pause, resume or status (runs no discovery itself)')
    .addHelpText(
      'after',
      `
Periodic discovery (Cellar's; nova's [scheduler] discover_hosts_in_cells_interval):
  Consoles started with CELLAR_DISCOVER_HOSTS_INTERVAL_S=N run discover_hosts every N
  seconds, on one replica at a time (a lease in the api database; when that replica dies
  another takes over once the lease is past). Each run is in the discovery log with the
  replica that ran it (actor "periodic").
    --schedule pause    no replica starts a run until resumed (one under way finishes)
    --schedule resume   runs start again at the next interval
    --schedule status   the interval, the leader, whether it is paused, the last runs
  Exit status 0; an unknown action exits 1.

Where Cellar differs from nova-manage:
  - A duplicate-key race is not an error. A host that someone else maps while this runs
    (another discover_hosts, the scheduler's periodic, the console) is reported as
    "already mapped by someone else" and the run succeeds; nova exits 2. Runs in parallel
    are safe: the unique key on host_mappings.host decides, and each host is mapped once.
  - A cell whose database does not answer is skipped and named on stderr; the other cells
    are still mapped, and the exit status does not change because of it.
  - The candidates are live compute hosts with no host mapping, not only nodes with
    mapped = 0 (a stale mapped flag does not hide a host). Afterwards every live node of a
    host mapped to its own cell gets mapped = 1, not only the node that created it.
  - An unknown --cell_uuid prints "Cell with uuid U was not found." and exits 1 (nova: 255).
  - Every run, dry runs included, is recorded (who, when, counts) and shown in the console.

Exit status: 0; with --strict, 1 when no host was newly mapped (with --dry-run: when none
would be).`,
    )
    .action(
      async (o: { cell_uuid?: string; byService?: boolean; strict?: boolean; verbose?: boolean; dryRun?: boolean; json?: boolean; schedule?: string }) => {
        if (o.schedule !== undefined) return scheduleCommand(o);
        const { cell_uuid } = parseOptions(z.object({ cell_uuid: cellUuidOption.optional() }), { cell_uuid: o.cell_uuid });
        const result = await withDeps((deps) =>
          discoverHosts(deps, {
            cellUuid: cell_uuid,
            byService: Boolean(o.byService),
            strict: Boolean(o.strict),
            dryRun: Boolean(o.dryRun),
            actor: os.userInfo().username,
          }),
        );
        if (o.json) console.log(JSON.stringify(result, null, 2));
        else printDiscover(result, Boolean(o.verbose));
        const code = discoverExitCode(result);
        if (code !== 0) throw new ExitCode(code);
      },
    );

  program
    .command('list_hosts')
    .description('List host mappings (Cell Name, Cell UUID, Hostname), sorted by host.')
    .option('--cell_uuid <uuid>', 'only the hosts mapped to this cell')
    .option('--json', 'print the mappings as JSON')
    .action(async (o: { cell_uuid?: string; json?: boolean }) => {
      const { cell_uuid } = parseOptions(z.object({ cell_uuid: cellUuidOption.optional() }), { cell_uuid: o.cell_uuid });
      const page = await withDeps((deps) => listHostMappings(deps, { cellUuid: cell_uuid }));
      if (o.json) {
        console.log(
          JSON.stringify(
            page.rows.map((r) => ({ cellName: r.cell.name, cellUuid: r.cell.uuid, host: r.host })),
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        prettyTable(
          ['Cell Name', 'Cell UUID', 'Hostname'],
          page.rows.map((r) => [r.cell.name, r.cell.uuid, r.host]),
        ),
      );
    });

  program
    .command('delete_host')
    .description("Delete a host's mapping after nova's checks; its compute nodes go back to mapped = 0.")
    .requiredOption('--cell_uuid <uuid>', 'the cell the host is mapped to')
    .requiredOption('--host <host>', 'the host to unmap')
    .addHelpText(
      'after',
      `
Exit status as nova-manage: 0 deleted; 1 cell not found; 2 host not mapped; 3 host mapped to
another cell; 4 the host still has instances (deleted = 0, soft-deleted ones included).
Cellar also exits 1, with a plain message, when the cell's database does not answer (its
instances cannot be checked, so nothing is deleted); nova exits 255 with a traceback.`,
    )
    .action(async (o: { cell_uuid: string; host: string }) => {
      const input = parseOptions(z.object({ cellUuid: cellUuidOption, host: hostOption }), { cellUuid: o.cell_uuid, host: o.host });
      const result = await withDeps((deps) => deleteHost(deps, input));
      console.log(result.restartNotice);
    });
}
