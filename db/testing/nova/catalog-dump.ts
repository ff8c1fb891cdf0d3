/**
 * A schema dump read from PostgreSQL's catalogs, for a server newer than the machine's
 * pg_dump (Debian 12's pg_dump 15 refuses to dump the embedded PostgreSQL 18 that tests
 * start on a machine with no server of its own). It lists what pg_dump --schema-only
 * would create in schema public: types and their labels, sequences, tables with every
 * column's type, default and nullability, constraints and indexes by their definitions,
 * and comments — enough that any create, alter or drop shows as a difference.
 */
import postgres from 'postgres';

export async function catalogDump(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ line: string }[]>`
      with ns as (select oid from pg_namespace where nspname = 'public')
      select line from (
        select 1 as k, format('type %s %s %s', t.typname, t.typtype,
                 coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')) as line, t.typname as o
          from pg_type t where t.typnamespace = (select oid from ns) and t.typtype in ('e', 'd', 'c') and t.typrelid = 0
        union all
        select 2, format('sequence %s %s', c.relname, pg_get_userbyid(c.relowner)), c.relname
          from pg_class c where c.relnamespace = (select oid from ns) and c.relkind = 'S'
        union all
        select 3, format('table %s.%s %s %s %s default %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                 case when a.attnotnull then 'not null' else 'null' end, a.attnum, coalesce(pg_get_expr(d.adbin, d.adrelid), '-')),
               c.relname || lpad(a.attnum::text, 5, '0')
          from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
          where c.relnamespace = (select oid from ns) and c.relkind in ('r', 'p', 'v', 'm')
        union all
        select 4, format('constraint %s on %s: %s', con.conname, c.relname, pg_get_constraintdef(con.oid)), c.relname || con.conname
          from pg_constraint con join pg_class c on c.oid = con.conrelid where c.relnamespace = (select oid from ns)
        union all
        select 5, format('index %s', pg_get_indexdef(i.indexrelid)), ic.relname
          from pg_index i join pg_class ic on ic.oid = i.indexrelid where ic.relnamespace = (select oid from ns)
        union all
        select 6, format('comment %s: %s', c.relname, obj_description(c.oid, 'pg_class')), c.relname
          from pg_class c where c.relnamespace = (select oid from ns) and obj_description(c.oid, 'pg_class') is not null
      ) x order by k, o, line`;
    return rows.map((r) => r.line).join('\n');
  } finally {
    await sql.end({ timeout: 2 });
  }
}
