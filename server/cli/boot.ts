/**
 * The boot area's commands:
 *   cellar boot --flavor NAME [--count N] [--project P] [--user U] [--image I] [--name S] [--no-schedule] [--json]
 *   cellar register_compute --cell_uuid UUID --host H [--hypervisor_hostname N] [--vcpus N] [--memory_mb N] [--local_gb N] [--json]
 *
 * `boot` prints the accepted instance uuids on stdout, one per line, so scripts can
 * read them; where each one went is reported on stderr (or everything as JSON with
 * --json). Exit codes: 0 done (a boot buried in cell0 was still accepted, as nova's API
 * answers 202); 1 a refusal with a plain message (unknown or disabled flavor, unknown
 * cell, a bad number, a deployment nova made without --allow-on-nova).
 *
 * Both verbs stand in for nova's services (nova-api, nova-conductor, nova-compute): on a
 * deployment nova made they are refused unless --allow-on-nova is given (boot/stand-in.ts).
 */
import type { Command } from 'commander';
import { acceptBoot } from '../boot/accept-boot';
import { registerCompute } from '../boot/register-compute';
import { type ScheduleResult, scheduleAndBuild } from '../boot/schedule-and-build';
import { cellLabel, cellUuidSchema } from '../cells/cell-ref';
import { refuse } from '../errors';
import { withDeps } from './session';

/** A cell uuid from an option (nova's 8-4-4-4-12 form), or a refusal naming the option. */
function cellUuid(value: string, flag: string): string {
  const r = cellUuidSchema.safeParse(value.trim());
  if (!r.success) throw refuse.invalid(`${flag}: ${r.error.issues[0]!.message}, got "${value}".`, 1);
  return r.data;
}

/** A whole number from an option, or a refusal naming the option. */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw refuse.invalid(`${flag} must be a whole number, got "${value}".`, 1);
  return Number(value);
}

interface BootOptions {
  flavor: string;
  count?: string;
  project?: string;
  user?: string;
  image?: string;
  name?: string;
  schedule: boolean;
  json?: boolean;
  allowOnNova?: boolean;
}

interface RegisterOptions {
  cell_uuid: string;
  host: string;
  hypervisor_hostname?: string;
  vcpus?: string;
  memory_mb?: string;
  local_gb?: string;
  json?: boolean;
  allowOnNova?: boolean;
}

function placementLine(o: ScheduleResult['outcomes'][number]): string {
  return `${o.instanceUuid}: ${o.result}: ${o.message}`;
}

export function registerBootCommands(program: Command) {
  program
    .command('boot')
    .description(
      'Accept servers as nova-api does (build request, request spec, instance mapping with no cell) and, unless --no-schedule, ' +
        'schedule and build them as nova-conductor does. Prints the accepted uuids; where each went goes to stderr.',
    )
    .requiredOption('--flavor <name>', 'flavor name')
    .option('--count <n>', 'how many servers (one request)', '1')
    .option('--project <id>', 'project id')
    .option('--user <id>', 'user id')
    .option('--image <id>', 'image id')
    .option('--name <name>', 'server name (multi-create appends -1, -2, …)')
    .option('--no-schedule', 'only accept: leave them as pending build requests')
    .option('--json', 'print the result as JSON')
    .option('--allow-on-nova', "do it on a deployment nova made too (refused there otherwise: booting is nova's job)")
    .action(async (o: BootOptions) => {
      const count = wholeNumber(o.count, '--count');
      const out = await withDeps(
        async (deps) => {
          const allowOnNova = Boolean(o.allowOnNova);
          const accepted = await acceptBoot(deps, {
            flavor: o.flavor,
            count,
            projectId: o.project,
            userId: o.user,
            imageRef: o.image,
            name: o.name,
            allowOnNova,
          });
          const scheduled = o.schedule ? await scheduleAndBuild(deps, accepted.instanceUuids, { allowOnNova }) : null;
          return { accepted, scheduled };
        },
        { quiet: Boolean(o.json) },
      );
      const { accepted, scheduled } = out;
      if (o.json) {
        const placements = scheduled ? Object.fromEntries(scheduled.outcomes.map((x) => [x.instanceUuid, x])) : null;
        console.log(JSON.stringify({ accepted, placements, skippedCells: scheduled?.skippedCells ?? [] }, null, 2));
        return;
      }
      for (const u of accepted.instanceUuids) console.log(u);
      if (scheduled) {
        for (const s of scheduled.skippedCells) console.error(`Cell ${cellLabel(s)} (${s.uuid}) did not answer and was skipped: ${s.message}`);
        for (const x of scheduled.outcomes) console.error(placementLine(x));
      }
    });

  program
    .command('register_compute')
    .description(
      'Register a compute host in a cell as nova-compute does when it starts: its nova-compute service (up) and its compute node. ' +
        'The host is not mapped: run discover_hosts for that. Running it again updates the same rows.',
    )
    .requiredOption('--cell_uuid <uuid>', 'the cell the compute reports to')
    .requiredOption('--host <host>', 'the compute service host')
    .option('--hypervisor_hostname <name>', 'the node name (default: the host)')
    .option('--vcpus <n>', 'vCPUs reported', '16')
    .option('--memory_mb <n>', 'RAM reported, in MB', '65536')
    .option('--local_gb <n>', 'local disk reported, in GB', '500')
    .option('--json', 'print the result as JSON')
    .option('--allow-on-nova', 'do it on a deployment nova made too (refused there otherwise: nova-compute registers itself)')
    .action(async (o: RegisterOptions) => {
      const input = {
        cellUuid: cellUuid(o.cell_uuid, '--cell_uuid'),
        host: o.host,
        hypervisorHostname: o.hypervisor_hostname,
        vcpus: wholeNumber(o.vcpus, '--vcpus'),
        memoryMb: wholeNumber(o.memory_mb, '--memory_mb'),
        localGb: wholeNumber(o.local_gb, '--local_gb'),
        allowOnNova: Boolean(o.allowOnNova),
      };
      const r = await withDeps((deps) => registerCompute(deps, input), { quiet: Boolean(o.json) });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else console.log(r.message);
    });
}
