/**
 * "Has every column Cellar reads": the schema check of a database nova made. The columns
 * Cellar reads are those of its own nova-compatible tables (db/cell/schema.ts,
 * db/api/nova-tables.ts), a column subset of nova's; the few that nova added after the
 * oldest release Cellar supports are optional, and no read or write needs them.
 */
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import * as apiTables from './api/nova-tables';
import * as cellTables from './cell/schema';

/** table.column → the release that added it: Cellar must work without them. */
export const OPTIONAL_COLUMNS: Record<string, string> = {
  'instances.compute_id': 'nova 28 (2023.2 Bobcat)',
};

const cache = new Map<'api' | 'cell', Map<string, string[]>>();

/** table → the columns Cellar reads from it, optional ones left out. */
export function columnsCellarReads(family: 'api' | 'cell'): Map<string, string[]> {
  const hit = cache.get(family);
  if (hit) return hit;
  const out = new Map<string, string[]>();
  for (const t of Object.values(family === 'api' ? apiTables : cellTables)) {
    if (!(t instanceof PgTable)) continue;
    const cfg = getTableConfig(t);
    if (cfg.schema && cfg.schema !== 'public') continue;
    out.set(
      cfg.name,
      cfg.columns.map((c) => c.name).filter((c) => !OPTIONAL_COLUMNS[`${cfg.name}.${c}`]),
    );
  }
  cache.set(family, out);
  return out;
}

/** The columns Cellar reads that this database lacks, as "table.column", in one query. */
export async function missingColumns(sql: postgres.Sql, family: 'api' | 'cell'): Promise<string[]> {
  const wanted = [...columnsCellarReads(family)].flatMap(([table, cols]) => cols.map((c) => `${table}.${c}`));
  const rows = await sql<{ k: string }[]>`
    select w.k from unnest(${wanted}::text[]) as w(k)
    where not exists (
      select 1 from information_schema.columns c
      where c.table_schema = 'public' and c.table_name || '.' || c.column_name = w.k)
    order by w.k`;
  return rows.map((r) => r.k);
}
