import 'server-only';
/**
 * nova-manage db purge over Cellar's cells (nova/db/main/api.py purge_shadow_tables,
 * nova/cmd/manage.py DbCommands.purge): every shadow table, rows older than --before by
 * nova's timestamp column for it (deleted_at, or created_at / updated_at for the tables
 * nova names), or all of them with --all; one DELETE per table; one cell at a time.
 */
import type postgres from 'postgres';
import { cellLabel } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { sqlTimestamp } from './archive-batch';
import { askCell, batchDeadline, batchStatementTimeout, cellsToArchive } from './archive-cells';
import { quoteIdent, readShadowTables } from './archive-tables';
import { type CellCounts, type DryRun, PURGE_EXIT } from './contract';

export const PURGE_API_MESSAGE = 'Unable to get cell list from API DB. Is it configured?';

/** nova: some rows are never formally deleted, so these tables go by another column. */
const OVERRIDES: Record<string, string> = {
  shadow_instance_actions: 'created_at',
  shadow_instance_actions_events: 'created_at',
  shadow_task_log: 'updated_at',
};

interface PurgeStep {
  table: string;
  column: string | null;
  skip?: string;
}

function steps(tables: { name: string; columns: string[] }[], before: Date | null): PurgeStep[] {
  return tables.map((t) => {
    if (!before) return { table: t.name, column: null };
    const col = OVERRIDES[t.name] ?? ['deleted_at', 'updated_at', 'created_at'].find((c) => t.columns.includes(c));
    if (!col) return { table: t.name, column: null, skip: `Unable to purge table ${t.name} because it has no timestamp column` };
    return { table: t.name, column: col };
  });
}

export interface PurgeCell {
  uuid: string;
  name: string | null;
  tables: Record<string, number>;
  total: number;
  /** nova's verbose lines: "Deleted 3 rows from shadow_instances based on timestamp column deleted_at". */
  lines: string[];
  down: string | null;
}

/** One cell's purge, one statement per shadow table, all in one transaction. */
export async function purgeCell(sql: postgres.Sql, before: Date | null, statementTimeoutMs: number): Promise<Omit<PurgeCell, 'uuid' | 'name' | 'down'>> {
  const out = { tables: {} as Record<string, number>, total: 0, lines: [] as string[] };
  const list = steps(await readShadowTables(sql), before);
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}`);
    for (const s of list) {
      if (s.skip) {
        out.lines.push(s.skip);
        continue;
      }
      const r = s.column
        ? await tx.unsafe(`delete from ${quoteIdent(s.table)} where ${quoteIdent(s.column)} < $1::timestamp`, [sqlTimestamp(before!)])
        : await tx.unsafe(`delete from ${quoteIdent(s.table)}`);
      if (r.count > 0) {
        out.tables[s.table] = r.count;
        out.lines.push(`Deleted ${r.count} rows from ${s.table} based on timestamp column ${s.column ?? '(n/a)'}`);
      }
      out.total += r.count;
    }
  });
  return out;
}

export async function purgeShadowTables(
  deps: Deps,
  opts: { before: Date | null; cellUuid?: string | null; onCell?: (c: PurgeCell) => void | Promise<void>; skip?: ReadonlySet<string> },
): Promise<{ cells: PurgeCell[]; total: number; exitCode: number }> {
  const cells = await cellsToArchive(deps, { cellUuid: opts.cellUuid, apiExit: PURGE_EXIT.apiUnreachable, apiMessage: PURGE_API_MESSAGE });
  const out: PurgeCell[] = [];
  for (const cell of cells) {
    if (opts.skip?.has(cell.uuid)) continue;
    const a = await askCell(deps, cell, ({ handle }) => purgeCell(handle.sql, opts.before, batchStatementTimeout(deps)), batchDeadline(deps));
    const c: PurgeCell = a.ok
      ? { uuid: cell.uuid, name: cell.name, ...a.value, down: null }
      : { uuid: cell.uuid, name: cell.name, tables: {}, total: 0, lines: [], down: `Cell ${cellLabel(cell)} does not answer (${a.message}); it was skipped.` };
    out.push(c);
    await opts.onCell?.(c);
  }
  const total = out.reduce((s, c) => s + c.total, 0);
  const exitCode = out.some((c) => c.down) ? PURGE_EXIT.failed : total ? PURGE_EXIT.purged : PURGE_EXIT.nothingPurged;
  return { cells: out, total, exitCode };
}

/** What purge would delete, per cell and shadow table, changing nothing. */
export async function purgeDryRun(deps: Deps, opts: { before: Date | null; cellUuid?: string | null }): Promise<DryRun> {
  const cells = await cellsToArchive(deps, { cellUuid: opts.cellUuid, apiExit: PURGE_EXIT.apiUnreachable, apiMessage: PURGE_API_MESSAGE });
  const answers = await Promise.all(
    cells.map((cell) =>
      askCell(deps, cell, async ({ handle }) => {
        const list = steps(await readShadowTables(handle.sql), opts.before).filter((s) => !s.skip);
        if (list.length === 0) return {};
        const [row] = await handle.sql.unsafe<Record<string, number>[]>(
          `select ${list
            .map(
              (s) =>
                `(select count(*) from ${quoteIdent(s.table)}${s.column ? ` where ${quoteIdent(s.column)} < $1::timestamp` : ''})::int as ${quoteIdent(s.table)}`,
            )
            .join(', ')}`,
          (opts.before ? [sqlTimestamp(opts.before)] : []) as postgres.ParameterOrJSON<never>[],
        );
        return Object.fromEntries(Object.entries(row!).filter(([, n]) => n > 0));
      }),
    ),
  );
  const out: CellCounts[] = cells.map((cell, i) => {
    const a = answers[i]!;
    if (!a.ok) return { uuid: cell.uuid, name: cell.name, status: 'down', message: a.message, tables: {}, total: 0, skipped: [] };
    return {
      uuid: cell.uuid,
      name: cell.name,
      status: 'up',
      message: null,
      tables: a.value,
      total: Object.values(a.value).reduce((s, n) => s + n, 0),
      skipped: [],
    };
  });
  return { cells: out, api: {}, total: out.reduce((s, c) => s + c.total, 0) };
}
