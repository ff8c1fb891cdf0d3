import 'server-only';
/**
 * Schemas and their migrations. Two kinds, kept apart:
 * - Cellar's own schema `cellar` in the api database (db/cellar/migrations): applied at
 *   start on any api database, nova's included.
 * - nova-compatible tables (db/api/migrations for the api database, db/cell/migrations
 *   for a cell): created only in a database Cellar makes itself (the embedded default, a
 *   test database, a new installation). In a database nova made (db/schema-owner.ts)
 *   Cellar never creates, alters or drops a nova table, column, index, type or
 *   constraint; its schema state is nova's alembic revision plus "has every column
 *   Cellar reads".
 */
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import postgres from 'postgres';
import type { DbHandle } from './connect';
import { missingColumns } from './nova-columns';
import { revisionSupport, supportedRange } from './nova-releases';
import { API_TABLES_TRACKING, CELLAR_TRACKING, readSchemaOwner, type SchemaOwner } from './schema-owner';

export type SchemaFamily = 'api' | 'cell';
/** A folder of migrations with its tracking table (always in schema `cellar`). */
export type MigrationSet = 'api-tables' | 'cellar' | 'cell';

const MIGRATIONS_SCHEMA = 'cellar';
const SETS: Record<MigrationSet, { folder: string[]; table: string }> = {
  'api-tables': { folder: ['db', 'api', 'migrations'], table: API_TABLES_TRACKING },
  cellar: { folder: ['db', 'cellar', 'migrations'], table: CELLAR_TRACKING },
  cell: { folder: ['db', 'cell', 'migrations'], table: CELLAR_TRACKING },
};

/** The repository root; the console and the CLI run from it (CELLAR_ROOT overrides). */
export function projectRoot(): string {
  return process.env.CELLAR_ROOT ?? process.cwd();
}

/** The migration sets a kind of database can have. */
export const SETS_OF: Record<SchemaFamily, MigrationSet[]> = { api: ['api-tables', 'cellar'], cell: ['cell'] };

export function migrationsFolder(set: MigrationSet): string {
  return path.join(projectRoot(), ...SETS[set].folder);
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function expectedMigrations(set: MigrationSet): { count: number; latest: number; latestTag: string; first: number } {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(set), 'meta', '_journal.json'), 'utf8')) as Journal;
  const last = journal.entries[journal.entries.length - 1]!;
  return { count: journal.entries.length, latest: last.when, latestTag: last.tag, first: journal.entries[0]!.when };
}

export type SchemaState = 'current' | 'behind' | 'uninitialised' | 'ahead' | 'unsupported' | 'incomplete';

export interface SchemaStatus {
  state: SchemaState;
  /** Cellar migrations applied and known (0 and 0 for nova's tables in a database nova made). */
  applied: number;
  expected: number;
  /** A plain sentence for people. */
  summary: string;
  /** Who made the nova tables: nova, Cellar, or nobody yet. */
  madeBy: SchemaOwner;
  /** nova's alembic revision, for a database nova made. */
  novaRevision: string | null;
  /** The nova release(s) of that revision, e.g. "nova 26 Zed". */
  release: string | null;
  /** Columns Cellar reads that the database lacks ("table.column"). */
  missingColumns: string[];
}

async function setStatus(sql: postgres.Sql, set: MigrationSet): Promise<Pick<SchemaStatus, 'state' | 'applied' | 'expected' | 'summary'>> {
  const expected = expectedMigrations(set);
  const table = SETS[set].table;
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass(${`${MIGRATIONS_SCHEMA}.${table}`}) is not null as present`;
  if (!exists?.present) {
    return { state: 'uninitialised', applied: 0, expected: expected.count, summary: `no Cellar schema (0 of ${expected.count} migrations applied)` };
  }
  const rows = await sql<{ n: string; latest: string | null }[]>`
    select count(*)::text as n, max(created_at)::text as latest from ${sql(MIGRATIONS_SCHEMA)}.${sql(table)}`;
  const applied = Number(rows[0]?.n ?? 0);
  const latest = Number(rows[0]?.latest ?? 0);
  if (latest > expected.latest) {
    return {
      state: 'ahead',
      applied,
      expected: expected.count,
      summary: `schema is newer than this Cellar (${applied} migrations applied, this version knows ${expected.count})`,
    };
  }
  if (latest < expected.latest) {
    return { state: 'behind', applied, expected: expected.count, summary: 'schema is behind: migrations pending (run: cellar db sync)' };
  }
  return { state: 'current', applied, expected: expected.count, summary: 'schema is current' };
}

/** nova's own schema: its revision, the release it belongs to, and the columns Cellar reads. */
async function novaStatus(sql: postgres.Sql, family: SchemaFamily, revision: string | null): Promise<SchemaStatus> {
  const support = revisionSupport(family, revision);
  const missing = await missingColumns(sql, family);
  const base = { applied: 0, expected: 0, madeBy: 'nova' as const, novaRevision: revision, release: support.label, missingColumns: missing };
  const rev = revision ? `nova schema ${revision}` : 'nova schema without an alembic revision';
  if (support.kind === 'unsupported') {
    return { ...base, state: 'unsupported', summary: `${rev} is from ${support.label}; Cellar supports ${supportedRange()}` };
  }
  if (missing.length > 0) {
    return {
      ...base,
      state: 'incomplete',
      summary: `${rev} (${support.label}) lacks column${missing.length === 1 ? '' : 's'} Cellar reads: ${missing.join(', ')}`,
    };
  }
  if (support.kind === 'unknown') {
    return { ...base, state: 'current', summary: `${rev}, unknown to this Cellar (${support.label}); every column Cellar reads is there` };
  }
  return { ...base, state: 'current', summary: `${rev} (${support.label}), made by nova` };
}

const NONE = { madeBy: 'cellar' as SchemaOwner, novaRevision: null, release: null, missingColumns: [] as string[] };

/**
 * Read-only: a database's schema state. A read never migrates; a Cellar-made cell that is
 * behind is reported so an operator can run `db sync`.
 */
export async function readSchemaStatus(sql: postgres.Sql, family: SchemaFamily): Promise<SchemaStatus> {
  const owner = await readSchemaOwner(sql, family);
  if (family === 'cell') {
    if (owner.owner === 'nova') return novaStatus(sql, 'cell', owner.novaRevision);
    return { ...(await setStatus(sql, 'cell')), ...NONE, madeBy: owner.owner };
  }
  const cellar = await setStatus(sql, 'cellar');
  const cellarPart = cellar.state === 'current' ? 'Cellar schema current' : `Cellar schema: ${cellar.summary}`;
  const tables =
    owner.owner === 'nova' ? await novaStatus(sql, 'api', owner.novaRevision) : { ...(await setStatus(sql, 'api-tables')), ...NONE, madeBy: owner.owner };
  // The worse of the two decides; both are said.
  const order: SchemaState[] = ['current', 'ahead', 'behind', 'incomplete', 'unsupported', 'uninitialised'];
  const state = order.indexOf(cellar.state) > order.indexOf(tables.state) ? cellar.state : tables.state;
  const tablesPart =
    tables.madeBy === 'nova'
      ? tables.summary
      : tables.state === 'current'
        ? 'nova-compatible tables made by Cellar, current'
        : `nova-compatible tables: ${tables.summary}`;
  return {
    ...tables,
    state,
    applied: cellar.applied + tables.applied,
    expected: cellar.expected + tables.expected,
    summary: `${tablesPart}; ${cellarPart}`,
  };
}

/** How long a cell database's schema state, once read for a page, is taken as still true. */
export const SCHEMA_STATUS_MEMORY_MS = 5000;

const rememberedStatus = new Map<string, { until: number; status: Promise<SchemaStatus> }>();

/**
 * A cell database's schema state for the pages that read every cell (the cells list, the
 * checks, a cell's page), read at most once per SCHEMA_STATUS_MEMORY_MS per database. The
 * reading costs three or four round trips, more than the figures it comes with, and at 75
 * cells under 8 viewers those round trips were the console's busiest work; a schema
 * changes only when it is migrated. Cellar's own migrations forget what was read
 * (runSet); one made elsewhere (nova-manage, another Cellar) shows within the memory's time.
 */
export function cellSchemaStatus(sql: postgres.Sql): Promise<SchemaStatus> {
  const { host, port, database } = sql.options;
  const key = `${host.join(',')}|${port.join(',')}|${database}`;
  const now = performance.now();
  const had = rememberedStatus.get(key);
  if (had && had.until > now) return had.status;
  if (rememberedStatus.size > 1000) for (const [k, v] of rememberedStatus) if (v.until <= now) rememberedStatus.delete(k);
  const status = readSchemaStatus(sql, 'cell');
  const entry = { until: now + SCHEMA_STATUS_MEMORY_MS, status };
  rememberedStatus.set(key, entry);
  // A failed reading is not remembered.
  status.catch(() => {
    if (rememberedStatus.get(key) === entry) rememberedStatus.delete(key);
  });
  return status;
}

/**
 * Apply a set's pending migrations in one transaction, recorded as drizzle's migrator
 * records them (same table, hash and created_at), but without its CREATE SCHEMA IF NOT
 * EXISTS, which PostgreSQL checks against CREATE on the database even when the schema is
 * there: a role that owns only the `cellar` schema (the README's read-only set-up) can
 * then migrate it, and a current set costs no DDL at all.
 */
async function runSet(sql: postgres.Sql, set: MigrationSet): Promise<number> {
  const before = await setStatus(sql, set);
  if (before.state === 'current') return 0;
  const table = `${MIGRATIONS_SCHEMA}.${SETS[set].table}`;
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder(set) });
  const [schema] = await sql<{ present: boolean }[]>`select exists (select 1 from pg_namespace where nspname = ${MIGRATIONS_SCHEMA}) as present`;
  if (!schema!.present) await sql.unsafe(`create schema ${MIGRATIONS_SCHEMA}`);
  await sql.unsafe(`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`);
  let applied = 0;
  // What a page remembers of a schema state may be about to be wrong.
  rememberedStatus.clear();
  await sql.begin(async (tx) => {
    const [last] = await tx.unsafe<{ created_at: string | null }[]>(`select created_at from ${table} order by created_at desc limit 1`);
    const lastAt = last ? Number(last.created_at) : null;
    for (const m of migrations) {
      if (lastAt !== null && lastAt >= m.folderMillis) continue;
      for (const stmt of m.sql) if (stmt.trim()) await tx.unsafe(stmt);
      await tx.unsafe(`insert into ${table} (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis]);
      applied++;
    }
  });
  // And what was read while it ran.
  rememberedStatus.clear();
  return applied;
}

/**
 * An api database made by Cellar before its nova-compatible tables had a tracking table
 * of their own: its tables are there (the one journal then covered both), so record the
 * first migration as applied instead of creating them again.
 */
async function baselineLegacyApiTables(sql: postgres.Sql): Promise<void> {
  const [r] = await sql<{ tracked: boolean; tables: boolean }[]>`
    select to_regclass(${`${MIGRATIONS_SCHEMA}.${API_TABLES_TRACKING}`}) is not null as tracked,
           to_regclass('public.cell_mappings') is not null as tables`;
  if (r!.tracked || !r!.tables) return;
  const first = expectedMigrations('api-tables').first;
  await sql.unsafe(`create table ${MIGRATIONS_SCHEMA}.${API_TABLES_TRACKING} (id serial primary key, hash text not null, created_at bigint)`);
  await sql.unsafe(`insert into ${MIGRATIONS_SCHEMA}.${API_TABLES_TRACKING} (hash, created_at) values ('baseline', $1)`, [first]);
}

export interface MigrationReport {
  family: SchemaFamily;
  madeBy: SchemaOwner;
  /** Migrations applied now (Cellar's own schema and, where Cellar made the database, its nova-compatible tables). */
  applied: number;
  status: SchemaStatus;
}

/**
 * Apply what this code may apply, serialised across processes by an advisory lock, on a
 * dedicated single connection (the lock and the migration share one session).
 * - api database: Cellar's schema always; the nova-compatible tables only where nova's
 *   schema is not there.
 * - cell database: the nova-compatible tables only where nova's schema is not there; a
 *   cell nova made is left exactly as it is.
 */
export async function applyMigrations(handle: DbHandle<Record<string, unknown>>, family: SchemaFamily): Promise<MigrationReport> {
  const sql = postgres(handle.url, { max: 1, onnotice: () => {}, connect_timeout: 10, connection: { application_name: 'cellar:migrate' } });
  try {
    await sql`select pg_advisory_lock(hashtext(${`cellar-migrate-${family}`}))`;
    const owner = await readSchemaOwner(sql, family);
    let applied = 0;
    if (family === 'api') {
      if (owner.owner !== 'nova') {
        await baselineLegacyApiTables(sql);
        applied += await runSet(sql, 'api-tables');
      }
      applied += await runSet(sql, 'cellar');
    } else if (owner.owner !== 'nova') {
      applied += await runSet(sql, 'cell');
    }
    return { family, madeBy: owner.owner, applied, status: await readSchemaStatus(sql, family) };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** One line for the start and `db sync`: what was found and what was done. */
export function describeMigration(target: string, r: MigrationReport): string {
  const did = r.applied > 0 ? `applied ${r.applied} migration${r.applied === 1 ? '' : 's'}` : 'nothing to apply';
  if (r.family === 'cell' && r.madeBy === 'nova') return `${target}: ${r.status.summary}; Cellar changes nothing in it`;
  if (r.family === 'cell') {
    return `${target}: ${r.madeBy === 'empty' ? 'empty, nova-compatible tables created' : `nova-compatible tables made by Cellar, ${r.status.summary}`} (${did})`;
  }
  return `${target}: ${r.status.summary} (${did})`;
}
