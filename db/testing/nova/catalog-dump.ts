/**
 * The public schema of a database as text to compare, to show Cellar changed nothing in it.
 * pg_dump --schema-only when the machine's pg_dump can read the server; pg_dump refuses a
 * server newer than itself (Debian 12's is 15, the embedded cluster 18), and there the
 * schema is read from the catalogs instead: every relation, column, default, constraint,
 * index, trigger, view, sequence, function, type, owner, grant and comment in public, one
 * sorted line each. Dumps are compared only with one made the same way.
 */
import { execFileSync } from 'node:child_process';
import postgres from 'postgres';

export const PG_DUMP = '/usr/bin/pg_dump';
export type DumpMethod = 'pg_dump' | 'catalog';

function major(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}

/** pg_dump when the machine's can read this server, the catalogs otherwise. */
export async function dumpMethodFor(url: string): Promise<{ method: DumpMethod; why: string }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let server: number;
  try {
    const [r] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
    server = Number(r!.v);
  } finally {
    await sql.end({ timeout: 2 });
  }
  let dumpMajor = 0;
  let dumpVersion = 'missing';
  try {
    dumpVersion = execFileSync(PG_DUMP, ['--version'], { encoding: 'utf8' }).trim();
    dumpMajor = Number(/(\d+)(?:\.\d+)?/.exec(dumpVersion.replace(/^[^0-9]*/, ''))?.[1] ?? 0);
  } catch {}
  const serverText = `server PostgreSQL ${major(server)}`;
  if (dumpMajor >= major(server)) return { method: 'pg_dump', why: `${dumpVersion}, ${serverText}` };
  return { method: 'catalog', why: `${PG_DUMP} is ${dumpVersion}: it refuses the newer ${serverText}, so the schema is read from the catalogs` };
}

/** One line per object of schema public, sorted: what pg_dump --schema-only would write, as text to compare. */
export async function catalogDump(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const q = async (text: string) => ((await sql.unsafe(text)) as unknown as { l: string }[]).map((r) => String(r.l));
    const parts = await Promise.all([
      q(`select 'schema public owner ' || pg_get_userbyid(nspowner) || ' acl ' || coalesce(nspacl::text, '-') || ' comment ' || coalesce(obj_description(oid, 'pg_namespace'), '-') as l
         from pg_namespace where nspname = 'public'`),
      q(`select 'relation ' || c.relname || ' kind ' || c.relkind::text || ' persistence ' || c.relpersistence::text || ' owner ' || pg_get_userbyid(c.relowner)
                || ' acl ' || coalesce(c.relacl::text, '-') || ' options ' || coalesce(c.reloptions::text, '-')
                || ' comment ' || coalesce(obj_description(c.oid, 'pg_class'), '-') as l
         from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')`),
      // Column order matters to pg_dump: the position among the live columns, not attnum.
      q(`select 'column ' || c.relname || '.' || a.attname || ' #' || row_number() over (partition by c.oid order by a.attnum)
                || ' ' || format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
                || ' default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' identity ' || coalesce(nullif(a.attidentity::text, ''), '-')
                || ' generated ' || coalesce(nullif(a.attgenerated::text, ''), '-') || ' collation ' || coalesce(co.collname, '-')
                || ' acl ' || coalesce(a.attacl::text, '-') || ' comment ' || coalesce(col_description(c.oid, a.attnum), '-') as l
         from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
         left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
         left join pg_collation co on co.oid = a.attcollation and a.attcollation <> 100
         where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped`),
      q(`select 'constraint ' || coalesce(c.relname, t.typname) || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid) as l
         from pg_constraint k join pg_namespace n on n.oid = k.connamespace
         left join pg_class c on c.oid = k.conrelid left join pg_type t on t.oid = k.contypid
         where n.nspname = 'public'`),
      q(`select 'index ' || pg_get_indexdef(i.indexrelid) as l
         from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`),
      q(`select 'trigger ' || pg_get_triggerdef(t.oid) as l
         from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal`),
      q(`select 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) as l
         from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('v', 'm')`),
      q(`select 'sequence ' || c.relname || ' ' || format_type(s.seqtypid, null) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
                || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || ' cycle ' || s.seqcycle::text
                || ' owned by ' || coalesce((select r.relname || '.' || a.attname from pg_depend dp join pg_class r on r.oid = dp.refobjid
                     join pg_attribute a on a.attrelid = dp.refobjid and a.attnum = dp.refobjsubid
                     where dp.objid = c.oid and dp.classid = 'pg_class'::regclass and dp.deptype in ('a', 'i') limit 1), '-') as l
         from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`),
      q(`select 'function ' || pg_get_functiondef(p.oid) as l
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.prokind in ('f', 'p')`),
      q(`select 'type ' || t.typname || ' ' || t.typtype::text || ' owner ' || pg_get_userbyid(t.typowner)
                || coalesce(' labels ' || (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')
                || case when t.typtype = 'd' then ' base ' || format_type(t.typbasetype, t.typtypmod) || case when t.typnotnull then ' not null' else '' end else '' end as l
         from pg_type t join pg_namespace n on n.oid = t.typnamespace
         where n.nspname = 'public' and t.typtype in ('e', 'd', 'c', 'r')
           and not exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c')`),
      q(`select 'policy ' || c.relname || '.' || p.polname || ' ' || p.polcmd::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-') as l
         from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`),
      q(`select 'rule ' || r.rulename || ' ' || pg_get_ruledef(r.oid) as l
         from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and r.rulename <> '_RETURN'`),
      q(`select 'extension ' || e.extname || ' in public' as l from pg_extension e join pg_namespace n on n.oid = e.extnamespace where n.nspname = 'public'`),
    ]);
    return `${parts.flat().sort().join('\n')}\n`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
