import 'server-only';
/**
 * Before a write starts: may Cellar's database role make it? A deployment may give Cellar
 * a role that only SELECTs nova's tables (and writes the `cellar` schema of the api
 * database): every read works, and every write must be refused before its first statement
 * with a plain message naming what is missing, never half done by a "permission denied"
 * in the middle. One query per database (has_table_privilege for every table and
 * privilege the write needs), called at the start of every write to nova's tables, for
 * each database it touches.
 */
import type postgres from 'postgres';
import { CellarError } from '../errors';

export type TablePrivilege = 'INSERT' | 'UPDATE' | 'DELETE' | 'SELECT';

export interface PrivilegeNeed {
  /** A table of nova's schema (public). */
  table: string;
  privileges: TablePrivilege[];
  /**
   * The table may be absent (nova's cell databases hold tables Cellar's own do not, e.g.
   * instance_info_caches): then there is nothing to check, and the write skips it too.
   */
  optional?: boolean;
}

/** Where the write goes: the api database, or a cell's database (named as people name the cell). */
export type WriteTarget = 'api database' | { cell: string };

export interface MissingPrivilege {
  /** The table, or for USAGE the sequence an INSERT draws its id from. */
  table: string;
  privilege: TablePrivilege | 'USAGE';
}

export interface PrivilegeReading {
  /** current_user of the connection. */
  role: string;
  missing: MissingPrivilege[];
  /** Tables of `needs` that are not there (optional ones included). */
  absent: string[];
}

/** Anything holding a postgres.js client: an ApiHandle, a CellHandle, or the client itself. */
export type SqlHolder = { sql: postgres.Sql } | postgres.Sql;

const sqlOf = (h: SqlHolder): postgres.Sql => (typeof h === 'function' ? h : h.sql);

/** Read, in one query, which of `needs` the connection's role lacks. */
export async function readWritePrivileges(handle: SqlHolder, needs: readonly PrivilegeNeed[]): Promise<PrivilegeReading> {
  const sql = sqlOf(handle);
  const seen = new Set<string>();
  const pairs = needs
    .flatMap((n) => n.privileges.map((p) => ({ table: n.table, privilege: p })))
    .filter((p) => !seen.has(`${p.table}\0${p.privilege}`) && Boolean(seen.add(`${p.table}\0${p.privilege}`)));
  // An INSERT also needs USAGE on the sequence its id comes from (serial: an 'a' dependency,
  // identity: 'i'); without it the INSERT fails on nextval, after the check said yes.
  const rows = await sql<{ role: string; table: string; privilege: TablePrivilege; present: boolean; granted: boolean | null; sequences: string[] | null }[]>`
    with w as (
      select w.t, w.p, w.n, to_regclass('public.' || quote_ident(w.t)) as rel
      from unnest(${pairs.map((p) => p.table)}::text[], ${pairs.map((p) => p.privilege)}::text[]) with ordinality as w(t, p, n)
    )
    select current_user::text as role, w.t as table, w.p as privilege, w.rel is not null as present,
           has_table_privilege(w.rel, w.p) as granted,
           case when w.p = 'INSERT' then (
             select array_agg(s.relname::text order by s.relname) from pg_depend d
             join pg_class s on s.oid = d.objid and s.relkind = 'S'
             where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
               and d.refobjid = w.rel and d.deptype in ('a', 'i')
               -- CASE: the planner may test this before the join's relkind = 'S' (an index is no sequence).
               and case when s.relkind = 'S' then not has_sequence_privilege(s.oid, 'USAGE') else false end) end as sequences
    from w order by w.n`;
  const [first] = rows.length > 0 ? rows : await sql<{ role: string }[]>`select current_user::text as role`;
  const missing: MissingPrivilege[] = [];
  for (const r of rows) {
    if (!r.present) continue;
    if (r.granted !== true) missing.push({ table: r.table, privilege: r.privilege });
    for (const seq of r.sequences ?? []) if (!missing.some((m) => m.table === seq)) missing.push({ table: seq, privilege: 'USAGE' });
  }
  return {
    role: first?.role ?? '',
    missing,
    absent: [...new Set(rows.filter((r) => !r.present).map((r) => r.table))],
  };
}

/** An identifier as it would be typed in SQL: bare when it can be, double-quoted otherwise. */
function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const VERB: Record<MissingPrivilege['privilege'], (table: string) => string> = {
  INSERT: (t) => `INSERT into ${t}`,
  UPDATE: (t) => `UPDATE ${t}`,
  DELETE: (t) => `DELETE from ${t}`,
  SELECT: (t) => `SELECT from ${t}`,
  USAGE: (s) => `use the sequence ${s}`,
};

function inWhere(where: WriteTarget): string {
  return where === 'api database' ? 'in the api database' : `in the database of cell ${where.cell}`;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The sentence for one database: what the role may not do there, and the GRANTs that fix it. */
export function privilegeSentence(role: string, where: WriteTarget, missing: readonly MissingPrivilege[]): string {
  const byTable = new Map<string, MissingPrivilege['privilege'][]>();
  for (const m of missing) byTable.set(m.table, [...(byTable.get(m.table) ?? []), m.privilege]);
  const grants = [...byTable].map(([table, privs]) =>
    privs.includes('USAGE') ? `GRANT USAGE ON SEQUENCE ${table} TO ${ident(role)}` : `GRANT ${privs.join(', ')} ON ${table} TO ${ident(role)}`,
  );
  return (
    `Cellar's database role "${role}" may not ${orList(missing.map((m) => VERB[m.privilege](m.table)))} ${inWhere(where)}: ` +
    `this write needs ${grants.join('; ')}.`
  );
}

export interface PrivilegeCheck {
  handle: SqlHolder;
  where: WriteTarget;
  needs: readonly PrivilegeNeed[];
}

/** The refusal for what `readings` lack, or null when nothing is missing. */
export function privilegeRefusal(readings: readonly { where: WriteTarget; reading: PrivilegeReading; needs: readonly PrivilegeNeed[] }[]): CellarError | null {
  const sentences: string[] = [];
  const details: { role: string; where: string; missing: MissingPrivilege[] }[] = [];
  for (const { where, reading, needs } of readings) {
    const required = needs.filter((n) => !n.optional).map((n) => n.table);
    const absent = reading.absent.filter((t) => required.includes(t));
    if (absent.length > 0) {
      sentences.push(
        `The ${where === 'api database' ? 'api database' : `database of cell ${where.cell}`} has no ${absent.join(', ')} table${absent.length === 1 ? '' : 's'}, which this write needs.`,
      );
    }
    if (reading.missing.length > 0) {
      sentences.push(privilegeSentence(reading.role, where, reading.missing));
      details.push({ role: reading.role, where: where === 'api database' ? where : `cell ${where.cell}`, missing: reading.missing });
    }
  }
  if (sentences.length === 0) return null;
  return new CellarError('forbidden', `${sentences.join(' ')} Nothing was changed.`, { exitCode: 1, details: { privileges: details } });
}

/**
 * Refuse (CellarError, kind 'forbidden', exit code 1) unless the role may do all of
 * `needs` in that database: one query, before the write's first statement there.
 */
export async function requireWritePrivileges(handle: SqlHolder, where: WriteTarget, needs: readonly PrivilegeNeed[]): Promise<void> {
  const refusal = privilegeRefusal([{ where, needs, reading: await readWritePrivileges(handle, needs) }]);
  if (refusal) throw refusal;
}

/** Several databases at once (one query each, in parallel); one refusal naming everything missing. */
export async function requireWritePrivilegesEverywhere(checks: readonly PrivilegeCheck[]): Promise<void> {
  const readings = await Promise.all(checks.map(async (c) => ({ where: c.where, needs: c.needs, reading: await readWritePrivileges(c.handle, c.needs) })));
  const refusal = privilegeRefusal(readings);
  if (refusal) throw refusal;
}

/** Whether an error is a privilege refusal (from here) — e.g. to carry it past fanOut. */
export function isPrivilegeRefusal(e: unknown): e is CellarError {
  return e instanceof CellarError && e.kind === 'forbidden' && Array.isArray((e.details as { privileges?: unknown } | undefined)?.privileges);
}

/**
 * What each of nova's writes needs, table by table, so the checks and the statements they
 * guard are read side by side. SELECT is there wherever the statement reads the table
 * (WHERE, RETURNING, FOR UPDATE).
 */
export const NEEDS = {
  insertCellMapping: [{ table: 'cell_mappings', privileges: ['SELECT', 'INSERT'] }],
  updateCellMapping: [{ table: 'cell_mappings', privileges: ['SELECT', 'UPDATE'] }],
  /** FOR UPDATE on the cell mapping's row (it holds the foreign keys still) needs UPDATE too. */
  deleteCellMapping: [
    { table: 'cell_mappings', privileges: ['SELECT', 'UPDATE', 'DELETE'] },
    { table: 'host_mappings', privileges: ['SELECT', 'DELETE'] },
    { table: 'instance_mappings', privileges: ['SELECT', 'DELETE'] },
  ],
  /** compute_nodes.mapped set back to 0 (delete_host, delete_cell --force) or to 1 (discover_hosts). */
  setComputeNodesMapped: [
    { table: 'compute_nodes', privileges: ['SELECT', 'UPDATE'] },
    { table: 'instances', privileges: ['SELECT'] },
  ],
  insertHostMappings: [
    { table: 'host_mappings', privileges: ['SELECT', 'INSERT'] },
    { table: 'cell_mappings', privileges: ['SELECT'] },
  ],
  deleteHostMapping: [
    { table: 'host_mappings', privileges: ['SELECT', 'DELETE'] },
    { table: 'cell_mappings', privileges: ['SELECT'] },
  ],
  /** map_instances: the mappings, and nova's marker row (deleted and inserted). */
  mapInstances: [
    { table: 'instance_mappings', privileges: ['SELECT', 'INSERT', 'DELETE'] },
    { table: 'cell_mappings', privileges: ['SELECT'] },
  ],
  queueMappingsForDelete: [{ table: 'instance_mappings', privileges: ['SELECT', 'UPDATE'] }],
  deleteBuildRequest: [
    { table: 'build_requests', privileges: ['SELECT', 'DELETE'] },
    { table: 'instance_mappings', privileges: ['SELECT', 'UPDATE'] },
    { table: 'cell_mappings', privileges: ['SELECT'] },
  ],
} satisfies Record<string, PrivilegeNeed[]>;
