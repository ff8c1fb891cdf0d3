import 'server-only';
/**
 * One run of nova's db.archive_deleted_rows on one cell database, set-based: for each table
 * in nova's order, its soft-deleted rows (up to what is left of max_rows, lowest ids first,
 * as nova) and the rows that refer to them, children before parents; each table's move is
 * one statement — DELETE … RETURNING feeding INSERT INTO shadow_… — never one per row.
 *
 * The whole run is one transaction on the cell: a process killed half way leaves every
 * row where it was, and nothing is ever in both a table and its shadow. A table whose
 * rows a foreign key still holds is skipped for this run (a savepoint), as nova skips it
 * on DBReferenceError.
 */
import type postgres from 'postgres';
import { ARCHIVE_CHILDREN, type ArchivePlan, type ArchiveTable, quoteIdent } from './archive-tables';

export interface ArchiveRun {
  /** table → rows moved to its shadow table, tables with none left out. */
  tables: Record<string, number>;
  /** The uuids of the instances moved: their api rows go next. */
  instanceUuids: string[];
  total: number;
  warnings: string[];
}

/** Rows deleted before this time (naive UTC, as nova stores deleted_at). */
export const sqlTimestamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/**
 * The statements that move the rows referring to the rows of `table` chosen by `where`
 * (deepest first), and their tables' names: nova's _get_fk_stmts, as predicates instead of id lists.
 */
function childMoves(plan: ArchivePlan, table: string, where: string): { table: ArchiveTable; where: string }[] {
  const out: { table: ArchiveTable; where: string }[] = [];
  const keys = ARCHIVE_CHILDREN[table] ?? [];
  const byChild = new Map<string, string[]>();
  for (const k of keys) {
    if (!plan.byName.has(k.table)) continue; // no shadow table: nova skips it too
    const list = byChild.get(k.table) ?? [];
    list.push(`${quoteIdent(k.column)} in (select ${quoteIdent(k.references)} from ${quoteIdent(table)} where ${where})`);
    byChild.set(k.table, list);
  }
  for (const [child, preds] of byChild) {
    const childWhere = preds.length === 1 ? preds[0]! : `(${preds.join(' or ')})`;
    out.push(...childMoves(plan, child, childWhere), { table: plan.byName.get(child)!, where: childWhere });
  }
  return out;
}

/** DELETE … RETURNING into INSERT INTO shadow: one statement; answers the rows moved (and the uuids, for instances). */
function moveStatement(t: ArchiveTable, where: string, returnUuids: boolean): string {
  const cols = t.columns.map(quoteIdent).join(', ');
  return `with moved as (delete from ${quoteIdent(t.name)} where ${where} returning ${cols}),
    ins as (insert into ${quoteIdent(t.shadow)} (${cols}) select ${t.casts.join(', ')} from moved returning 1)
    select (select count(*) from ins)::int as n${returnUuids ? ', (select coalesce(array_agg(uuid), array[]::varchar[]) from moved) as uuids' : ''}`;
}

/** The soft-deleted rows of a table that archive_deleted_rows takes (nova: deleted != 0, deleted_at < before). */
export function ownWhere(t: ArchiveTable, beforeParam: string | null): string {
  return `deleted <> 0${beforeParam && t.hasDeletedAt ? ` and deleted_at < ${beforeParam}::timestamp` : ''}`;
}

/**
 * One run on one cell in one transaction. `statementTimeoutMs` bounds every statement on
 * the server, so a run the caller stops waiting for is rolled back, never committed late.
 */
export async function archiveBatch(
  sql: postgres.Sql,
  plan: ArchivePlan,
  opts: { maxRows: number; before: Date | null; statementTimeoutMs: number },
): Promise<ArchiveRun> {
  const run: ArchiveRun = { tables: {}, instanceUuids: [], total: 0, warnings: [] };
  if (opts.maxRows <= 0) return run;
  const before = opts.before ? sqlTimestamp(opts.before) : null;
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local statement_timeout = ${Math.max(1, Math.floor(opts.statementTimeoutMs))}`);
    for (const t of plan.tables) {
      const limit = opts.maxRows - run.total;
      if (limit <= 0) break;
      const params: unknown[] = before ? [before] : [];
      const ids = (
        await tx.unsafe<{ id: number }[]>(
          `select id from ${quoteIdent(t.name)} where ${ownWhere(t, before ? '$1' : null)} order by id limit ${limit} for update`,
          params as postgres.ParameterOrJSON<never>[],
        )
      ).map((r) => r.id);
      if (ids.length === 0) continue;
      const where = `id = any($1::int[])`;
      const moves = [...childMoves(plan, t.name, where), { table: t, where }];
      try {
        const moved = await tx.savepoint(async (sp) => {
          const counts: Record<string, number> = {};
          let uuids: string[] = [];
          for (const m of moves) {
            const isParent = m.table === t;
            const [r] = await sp.unsafe<{ n: number; uuids?: string[] }[]>(moveStatement(m.table, m.where, isParent && t.name === 'instances'), [ids]);
            if (r!.n) counts[m.table.name] = (counts[m.table.name] ?? 0) + r!.n;
            if (r!.uuids) uuids = r!.uuids;
          }
          return { counts, uuids };
        });
        for (const [name, n] of Object.entries(moved.counts)) {
          run.tables[name] = (run.tables[name] ?? 0) + n;
          run.total += n;
        }
        run.instanceUuids.push(...moved.uuids);
      } catch (e) {
        if ((e as { code?: string }).code !== '23503') throw e;
        run.warnings.push(`IntegrityError detected when archiving table ${t.name}: ${(e as Error).message}`);
      }
    }
  });
  return run;
}

/**
 * Which rows archiving to the end would move, per table: a table's own soft-deleted rows and
 * those referring (by nova's foreign keys, transitively) to rows that move. One count per table.
 */
export async function countArchivable(
  sql: postgres.Sql,
  plan: ArchivePlan,
  before: Date | null,
): Promise<{ tables: Record<string, number>; instanceUuids: string[] }> {
  const b = before ? sqlTimestamp(before) : null;
  const parents = new Map<string, { table: string; column: string; references: string }[]>();
  for (const [parent, keys] of Object.entries(ARCHIVE_CHILDREN)) {
    if (!plan.byName.has(parent)) continue;
    for (const k of keys) parents.set(k.table, [...(parents.get(k.table) ?? []), { table: parent, column: k.column, references: k.references }]);
  }
  const goes = (name: string): string => {
    const t = plan.byName.get(name)!;
    const via = (parents.get(name) ?? []).map(
      (p) => `${quoteIdent(p.column)} in (select ${quoteIdent(p.references)} from ${quoteIdent(p.table)} where ${goes(p.table)})`,
    );
    return [`(${ownWhere(t, b ? '$1::text' : null)})`, ...via].join(' or ');
  };
  const tables: Record<string, number> = {};
  const params = (b ? [b] : []) as postgres.ParameterOrJSON<never>[];
  if (plan.tables.length) {
    const [row] = await sql.unsafe<Record<string, number>[]>(
      `select ${plan.tables.map((t) => `(select count(*) from ${quoteIdent(t.name)} where ${goes(t.name)})::int as ${quoteIdent(t.name)}`).join(', ')}`,
      params,
    );
    for (const [name, n] of Object.entries(row!)) if (n) tables[name] = n;
  }
  const instanceUuids = plan.byName.has('instances')
    ? (await sql.unsafe<{ uuid: string }[]>(`select uuid from instances where ${goes('instances')}`, params)).map((r) => r.uuid)
    : [];
  return { tables, instanceUuids };
}
