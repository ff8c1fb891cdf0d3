/**
 * nova-manage cell_v2 map_instances: --cell_uuid, --max-count, --reset, nova's marker row
 * and exit codes (0 all mapped, 1 more to do, 127 bad --max-count, 255 the cell cannot be
 * used), over mapInstances, the same code the console's background job runs batch by
 * batch. It runs here and now, not through the job queue: a script loops on exit 1 as it
 * does with nova.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '@/db/config';
import { cellUuidSchema } from '../cells/cell-ref';
import { isCellarError } from '../errors';
import { type MapInstancesResult, mapInstances } from '../instances/map-instances';
import { reportUnexpected } from '../unexpected-error';
import { ExitCode } from './exit';
import { withDeps } from './session';

/** Any failure that is not a refusal: 255 as in nova, never 1, which tells a script to run again. */
const FAILED = 255;

const options = z.object({
  // nova looks the uuid up and fails with 255 when it is not there; so do we, with the same code for junk.
  cell_uuid: z.string().trim().min(1, 'Must supply a cell uuid with --cell_uuid').pipe(cellUuidSchema),
  // nova: int(max_count), anything int() refuses counting as -1; mapInstances then refuses it with 127.
  maxCount: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : /^\s*[+-]?\d+\s*$/.test(s) ? Number(s) : -1)),
  reset: z.boolean().optional(),
  json: z.boolean().optional(),
});

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function summary(r: MapInstancesResult): string[] {
  const lines = [
    `Scanned ${plural(r.scanned, 'instance')}: ${r.mapped.toLocaleString('en')} newly mapped, ${r.alreadyMapped.toLocaleString('en')} already mapped` +
      (r.skipped ? `, ${r.skipped.toLocaleString('en')} skipped (the VIF migration's fake instance, or no project).` : '.'),
  ];
  lines.push(r.exitCode === 0 ? 'All instances are mapped.' : `More instances remain after ${r.marker}: run map_instances again to go on from there.`);
  return lines;
}

export function registerMapInstancesCommands(program: Command) {
  program
    .command('map_instances')
    .description("Map the instances of a cell (deleted ones included) to it in instance_mappings, oldest first, resuming from nova's marker")
    .requiredOption('--cell_uuid <cell_uuid>', 'Unmigrated instances will be mapped to the cell with the uuid provided.')
    .option(
      '--max-count <max_count>',
      'Maximum number of instances to map in this run; where it stopped is saved as the marker. Without it, every instance is mapped. Run until it exits 0.',
    )
    .option('--reset', 'Start from the oldest instance instead of from where the last run finished.')
    .option('--json', 'Print the result as JSON on stdout.')
    .addHelpText(
      'after',
      `
Exit codes (nova's): 0 all instances are mapped; 1 more remain (run again); 127 --max-count is
not a positive number; 255 the cell is unknown, does not answer, or the saved marker is not in it.

The order and the marker are nova's (created_at, then id; hidden instances left out, deleted ones
in), so a run begun by nova-manage goes on here and the other way round.

Where Cellar differs from nova-manage:
  - Each batch is one read from the cell and one INSERT … ON CONFLICT DO NOTHING into the api
    database (nova: one INSERT per instance, 50 per batch); without --max-count, batches of 10,000.
  - The VIF migration's fake instance (uuid 00000000-…) is skipped, never mapped.
  - Instances with no created_at (nova never writes one) come last and are mapped too; nova's
    --max-count walk never reaches them.
  - A failed run keeps the marker where it was (nova deletes it first).
  - It prints a summary (nova prints nothing); --json prints it as JSON.`,
    )
    .action(async (raw: unknown) => {
      const parsed = options.safeParse(raw);
      if (!parsed.success) {
        console.error(parsed.error.issues[0]!.message);
        throw new ExitCode(FAILED);
      }
      const o = parsed.data;
      let r: MapInstancesResult;
      try {
        r = await withDeps((deps) => mapInstances(deps, { cellUuid: o.cell_uuid, maxCount: o.maxCount, reset: o.reset }), { quiet: o.json });
      } catch (e) {
        if (e instanceof ExitCode || e instanceof ConfigError) throw e;
        if (isCellarError(e)) {
          console.error(e.message);
          throw new ExitCode(e.exitCode);
        }
        // nova's 255 for an unexpected error; the plain line, the statement only in the log.
        console.error(reportUnexpected(e, { source: 'cli', action: 'map_instances', what: 'command failed' }).message);
        throw new ExitCode(FAILED);
      }
      if (o.json) {
        console.log(
          JSON.stringify({
            cellUuid: o.cell_uuid,
            exitCode: r.exitCode,
            scanned: r.scanned,
            mapped: r.mapped,
            alreadyMapped: r.alreadyMapped,
            skipped: r.skipped,
            marker: r.marker,
          }),
        );
      } else {
        for (const line of summary(r)) console.log(line);
      }
      if (r.exitCode !== 0) throw new ExitCode(r.exitCode);
    });
}
