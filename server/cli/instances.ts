import type { Command } from 'commander';
import { cellLabel } from '../cells/cell-ref';
import { lookupInstance, verifyInstanceLines } from '../instances/lookup-instance';
import { ExitCode } from './exit';
import { withDeps } from './session';

/**
 * nova-manage cell_v2 verify_instance: where an instance is, with nova's messages and
 * exit codes 0–4 (cells-v2.md §4). A cell that does not answer exits 255, as nova's
 * command does when its database query raises.
 */
function registerVerifyInstance(program: Command) {
  program
    .command('verify_instance')
    .description('Verify the instance mapping of an instance: in a cell (0), not mapped (1), no cell yet (2), deleted (3), archived but still mapped (4)')
    .requiredOption('--uuid <instance_uuid>', 'the instance UUID to verify')
    .option('--quiet', 'do not print anything')
    .action(async (o: { uuid: string; quiet?: boolean }) => {
      const result = await withDeps((deps) => lookupInstance(deps, o.uuid), { quiet: o.quiet });
      if (!o.quiet) for (const line of verifyInstanceLines(result)) console.log(line);
      if (result.kind === 'cell_down') {
        console.error(
          `An error has occurred: instance ${result.uuid} is mapped to cell ${cellLabel(result.cell)} (${result.cell.uuid}), which did not answer (${result.reason}: ${result.message}).`,
        );
      }
      if (result.exitCode !== 0) throw new ExitCode(result.exitCode);
    });
}

/** The instances area's commands, one register function per verb. */
export function registerInstancesCommands(program: Command) {
  registerVerifyInstance(program);
  // map_instances (--cell_uuid, --max-count, --reset) belongs here, beside verify_instance; it comes with the map-instances work.
}
