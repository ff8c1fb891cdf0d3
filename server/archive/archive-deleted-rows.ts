import 'server-only';
/**
 * nova-manage db archive_deleted_rows over Cellar's cells: nova's options, budget, names and
 * exit codes (nova/cmd/manage.py DbCommands.archive_deleted_rows and _do_archive).
 *
 * - max_rows is a total over the cells, or with until_complete the size of each batch;
 * - one cell at a time, cell0 first, so the cells never contend for the api database;
 * - after each batch the api rows of the instances it moved (mappings, request specs,
 *   group members) are deleted;
 * - a cell that does not answer is reported and skipped (nova stops with 255 there); the
 *   run then exits 255 after the others are done.
 */
import { cellLabel } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { type ApiTable, countApiRows, deleteApiRows } from './archive-api-rows';
import { archiveBatch, type ArchiveRun, countArchivable } from './archive-batch';
import { askCell, batchDeadline, batchStatementTimeout, cellsToArchive } from './archive-cells';
import { readArchivePlan } from './archive-tables';
import { ARCHIVE_EXIT, type CellCounts, type DryRun, MAX_ROWS_LIMIT } from './contract';

export const API_UNREACHABLE_MESSAGE =
  'Failed to connect to API DB so aborting this archival attempt. Please check your config file to make sure that [api_database]/connection is set and run this command again.';

export interface ArchiveOptions {
  maxRows: number;
  before: Date | null;
  /** One cell; null with allCells. */
  cellUuid?: string | null;
  untilComplete?: boolean;
  /** Called after each batch (the CLI's dots, a job's progress). */
  onBatch?: (cell: { uuid: string; name: string | null }, run: ArchiveRun, api: Record<ApiTable, number>) => void | Promise<void>;
}

export interface ArchiveResult {
  /** nova's table_to_rows_archived: `cell.table` (with all cells) or `table`, and `API_DB.table`. */
  rows: Record<string, number>;
  total: number;
  cells: { uuid: string; name: string | null; total: number; down: string | null }[];
  warnings: string[];
  exitCode: number;
}

export function checkMaxRows(maxRows: number): void {
  if (!Number.isInteger(maxRows) || maxRows < 0) throw refuse.invalid('Must supply a positive value for max_rows', ARCHIVE_EXIT.badMaxRows);
  if (maxRows > MAX_ROWS_LIMIT) throw refuse.invalid(`max rows must be <= ${MAX_ROWS_LIMIT}`, ARCHIVE_EXIT.badMaxRows);
}

/** The batches of one cell: one run, or runs until one moves nothing. */
export async function archiveOneCell(
  deps: Deps,
  cell: import('@/db/registry').CellRef,
  opts: {
    maxRows: number;
    before: Date | null;
    untilComplete: boolean;
    signal?: AbortSignal;
    onBatch?: ArchiveOptions['onBatch'];
    beforeBatch?: () => Promise<void>;
  },
): Promise<{ total: number; tables: Record<string, number>; api: Record<ApiTable, number>; warnings: string[]; down: string | null }> {
  const out = {
    total: 0,
    tables: {} as Record<string, number>,
    api: { instance_mappings: 0, request_specs: 0, instance_group_member: 0 },
    warnings: [] as string[],
    down: null as string | null,
  };
  const plan = await askCell(deps, cell, ({ handle }) => readArchivePlan(handle.sql));
  if (!plan.ok) return { ...out, down: plan.message };
  for (;;) {
    opts.signal?.throwIfAborted();
    await opts.beforeBatch?.();
    const answer = await askCell(
      deps,
      cell,
      ({ handle }) => archiveBatch(handle.sql, plan.value, { maxRows: opts.maxRows, before: opts.before, statementTimeoutMs: batchStatementTimeout(deps) }),
      batchDeadline(deps),
    );
    if (!answer.ok) return { ...out, down: answer.message };
    const run = answer.value;
    const api = await deleteApiRows(deps.api, run.instanceUuids);
    for (const [t, n] of Object.entries(run.tables)) out.tables[t] = (out.tables[t] ?? 0) + n;
    for (const [t, n] of Object.entries(api) as [ApiTable, number][]) out.api[t] += n;
    out.total += run.total;
    out.warnings.push(...run.warnings);
    await opts.onBatch?.({ uuid: cell.uuid, name: cell.name }, run, api);
    if (!opts.untilComplete || run.total === 0) return out;
  }
}

export async function archiveDeletedRows(deps: Deps, opts: ArchiveOptions): Promise<ArchiveResult> {
  checkMaxRows(opts.maxRows);
  const cells = await cellsToArchive(deps, { cellUuid: opts.cellUuid, apiExit: ARCHIVE_EXIT.apiUnreachable, apiMessage: API_UNREACHABLE_MESSAGE });
  const prefixed = !opts.cellUuid;
  const result: ArchiveResult = { rows: {}, total: 0, cells: [], warnings: [], exitCode: 0 };
  const add = (key: string, n: number) => {
    if (n) result.rows[key] = (result.rows[key] ?? 0) + n;
  };
  for (const cell of cells) {
    let limit: number;
    if (opts.untilComplete) limit = opts.maxRows;
    else if (opts.maxRows > result.total) limit = opts.maxRows - result.total;
    else break;
    const r = await archiveOneCell(deps, cell, { maxRows: limit, before: opts.before, untilComplete: Boolean(opts.untilComplete), onBatch: opts.onBatch });
    const name = cell.name ?? cell.uuid;
    for (const [t, n] of Object.entries(r.tables)) add(prefixed ? `${name}.${t}` : t, n);
    // nova lists the three api tables whenever instances were archived, 0 or not.
    if (r.tables.instances) for (const [t, n] of Object.entries(r.api)) result.rows[`API_DB.${t}`] = (result.rows[`API_DB.${t}`] ?? 0) + n;
    result.total += r.total;
    result.warnings.push(...r.warnings);
    result.cells.push({
      uuid: cell.uuid,
      name: cell.name,
      total: r.total,
      down: r.down ? `Cell ${cellLabel(cell)} does not answer (${r.down}); it was skipped.` : null,
    });
  }
  const archived = Object.keys(result.rows).some((k) => !k.startsWith('API_DB.'));
  result.exitCode = result.cells.some((c) => c.down) ? ARCHIVE_EXIT.failed : archived ? ARCHIVE_EXIT.archived : ARCHIVE_EXIT.nothingArchived;
  return result;
}

/** What a run to the end would archive, per cell and table, changing nothing: the cells asked at once, each under the deadline. */
export async function archiveDryRun(deps: Deps, opts: { before: Date | null; cellUuid?: string | null }): Promise<DryRun> {
  const cells = await cellsToArchive(deps, { cellUuid: opts.cellUuid, apiExit: ARCHIVE_EXIT.apiUnreachable, apiMessage: API_UNREACHABLE_MESSAGE });
  const answers = await Promise.all(
    cells.map((cell) =>
      askCell(deps, cell, async ({ handle }) => {
        const plan = await readArchivePlan(handle.sql);
        return { plan, counts: await countArchivable(handle.sql, plan, opts.before) };
      }),
    ),
  );
  const uuids: string[] = [];
  const out: CellCounts[] = cells.map((cell, i) => {
    const a = answers[i]!;
    if (!a.ok) return { uuid: cell.uuid, name: cell.name, status: 'down', message: a.message, tables: {}, total: 0, skipped: [] };
    uuids.push(...a.value.counts.instanceUuids);
    const total = Object.values(a.value.counts.tables).reduce((s, n) => s + n, 0);
    return { uuid: cell.uuid, name: cell.name, status: 'up', message: null, tables: a.value.counts.tables, total, skipped: a.value.plan.skipped };
  });
  const api = Object.fromEntries(Object.entries(await countApiRows(deps.api, uuids)).filter(([, n]) => n > 0));
  return { cells: out, api, total: out.reduce((s, c) => s + c.total, 0) };
}
