/**
 * `cellar repair KIND`: Cellar's own verb (nova-manage has none) over the same code as the
 * console's Repairs page. A dry run lists the rows; a run changes them here and now in
 * batches (progress on stderr), one audit row per changed row, refused over --limit.
 *
 * Exit codes: 0 done (nothing to do, every row changed, or the rows listed); 1 refused
 * (more rows than --limit, an unknown kind or cell, a bad option): nothing was changed;
 * 2 done in part: a cell did not answer, its rows were not read or not changed; 3 the api
 * database does not answer (nova's archive_deleted_rows code).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { cellLabel, cellUuidSchema } from '../cells/cell-ref';
import { isApiDatabaseDown } from '../errors';
import { cliPrincipal } from '../auth/cli-audit';
import { applyRepair } from '../repairs/apply-repair';
import { overLimitRefusal, planRepair } from '../repairs/plan-repair';
import {
  DEFAULT_REPAIR_LIMIT,
  MAX_REPAIR_LIMIT,
  REPAIR_INFO,
  REPAIR_KINDS,
  type RepairKind,
  type RepairPlan,
  type RepairProgress,
  repairKindSchema,
} from '../repairs/repair-kinds';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

export const REPAIR_EXIT = { done: 0, refused: 1, partial: 2, apiDown: 3 } as const;

const options = z.object({
  kind: repairKindSchema,
  cell_uuid: cellUuidSchema.optional(),
  limit: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return DEFAULT_REPAIR_LIMIT;
      const n = /^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 1 || n > MAX_REPAIR_LIMIT) {
        ctx.addIssue({ code: 'custom', message: `--limit is a whole number from 1 to ${MAX_REPAIR_LIMIT}` });
        return z.NEVER;
      }
      return n;
    }),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

const at = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : null);

function printPlan(plan: RepairPlan): void {
  const info = REPAIR_INFO[plan.kind];
  const rows = plan.rows;
  console.log(
    `${info.title}: ${rows.length.toLocaleString('en')}${plan.more ? '+' : ''} found${plan.olderThanMinutes ? ` (older than ${plan.olderThanMinutes} minutes)` : ''}.`,
  );
  if (rows.length > 0) {
    console.log(
      prettyTable(
        ['Table', 'Id', 'Cell', 'Instance', 'Host', 'Node', 'Created', 'Note'],
        rows.map((r) => [r.table, r.id, r.cell ? cellLabel(r.cell) : null, r.instanceUuid, r.host, r.node, at(r.createdAt), r.note]),
      ),
    );
  }
  const advice = [...new Set(rows.map((r) => r.advice).filter((a): a is string => a !== null))];
  for (const a of advice) console.log(a);
}

function printDown(down: RepairPlan['down']): void {
  for (const d of down) console.error(`Cell ${cellLabel(d)} did not answer (${d.reason}: ${d.message}): its rows were not read or changed.`);
}

export function registerRepairCommands(program: Command) {
  program
    .command('repair')
    .description('Fix (or report) drift between the api database and the cells: a dry run lists the rows, a run changes them, audited row by row.')
    .argument('<kind>', REPAIR_KINDS.join(' | '))
    .option('--cell_uuid <uuid>', 'only this cell (the kinds that read cells, and build requests by the cell they went to)')
    .option('--dry-run', 'list the rows a run would change, and change nothing')
    .option('--limit <n>', `change at most this many rows; more is refused (default ${DEFAULT_REPAIR_LIMIT}, at most ${MAX_REPAIR_LIMIT})`)
    .option('--json', 'print the plan and the outcome as JSON on stdout')
    .addHelpText(
      'after',
      `
Kinds:
  orphan_instance_mappings    delete instance mappings with no cell and no build request,
                              older than 10 minutes (the build requests page's orphans)
  placed_build_requests       delete build requests whose instance mapping has a cell, older
                              than 10 minutes (their request specs stay, as in nova)
  mapped_compute_nodes        set mapped = 0 on live compute nodes marked mapped whose host
                              has no host mapping, so discover_hosts maps them again
  stale_host_mappings         report host mappings to a cell with no live compute node or
                              nova-compute service for the host, with the delete_host to run
  archived_instance_mappings  report instance mappings whose instance is gone from its cell
                              (nova's verify_instance exit 4)

Every changed row is re-checked in the statement that changes it: a row that stopped
qualifying since the dry run is left alone. Each changed row gets its own audit row
(action "repair <kind>"). A second run finds nothing.

Exit codes: 0 done (nothing to do, every row changed, or the rows listed); 1 refused: more
rows than --limit (pass the --limit it names), an unknown kind or cell, a bad option, and
nothing was changed; 2 done in part: a cell did not answer and its rows were not read or
changed; 3 the api database does not answer.`,
    )
    .action(async (kind: string, raw: Record<string, unknown>) => {
      const parsed = options.safeParse({ ...raw, kind });
      if (!parsed.success) {
        console.error(`cellar repair: ${parsed.error.issues[0]!.message}`);
        throw new ExitCode(REPAIR_EXIT.refused);
      }
      const o = parsed.data;
      const k: RepairKind = o.kind;
      try {
        await withDeps(
          async (deps) => {
            const plan = await planRepair(deps, { kind: k, cellUuid: o.cell_uuid, limit: o.limit });
            printDown(plan.down);
            const partial = plan.down.length > 0 ? REPAIR_EXIT.partial : REPAIR_EXIT.done;
            if (o.dryRun || !plan.fixes || plan.rows.length === 0) {
              if (o.json) console.log(JSON.stringify({ dryRun: Boolean(o.dryRun), ...plan }));
              else {
                printPlan(plan);
                if (o.dryRun && plan.overLimit) console.log(overLimitRefusal(plan).message.replace('Refused:', 'A run would be refused:'));
                else if (o.dryRun && plan.rows.length > 0) console.log(`A run would change these ${plan.rows.length} rows: ${REPAIR_INFO[k].change}.`);
              }
              throw new ExitCode(partial);
            }
            if (plan.overLimit) throw overLimitRefusal(plan);
            if (!o.json) printPlan(plan);
            const report = (p: RepairProgress) => {
              if (!o.json)
                console.error(
                  `… ${p.position.toLocaleString('en')} of ${p.total.toLocaleString('en')} rows: ${p.changed} changed, ${p.skipped} no longer qualifying`,
                );
            };
            const done = await applyRepair(
              deps,
              k,
              plan.rows.map((r) => r.key),
              { source: 'cli', principal: cliPrincipal() },
              { onBatch: report },
            );
            if (o.json) console.log(JSON.stringify({ dryRun: false, ...plan, outcome: done }));
            else {
              printDown(done.down);
              console.log(
                `${done.changed.toLocaleString('en')} changed (${REPAIR_INFO[k].change}); ${done.skipped.toLocaleString('en')} no longer qualified and were left alone` +
                  (done.notReached ? `; ${done.notReached.toLocaleString('en')} in cells that did not answer.` : '.'),
              );
            }
            throw new ExitCode(done.down.length > 0 || done.notReached > 0 ? REPAIR_EXIT.partial : partial);
          },
          { quiet: o.json },
        );
      } catch (e) {
        if (isApiDatabaseDown(e)) {
          console.error(`cellar repair: the api database does not answer; the rows changed before it stopped are in the audit log.`);
          throw new ExitCode(REPAIR_EXIT.apiDown);
        }
        throw e;
      }
    });
}
