import fs from 'node:fs';
import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { DbHandle } from './connect';

export type SchemaFamily = 'api' | 'cell';

const MIGRATIONS_SCHEMA = 'cellar';
const MIGRATIONS_TABLE = 'schema_migrations';

/** The repository root; the console and the CLI run from it (CELLAR_ROOT overrides). */
export function projectRoot(): string {
  return process.env.CELLAR_ROOT ?? process.cwd();
}

export function migrationsFolder(family: SchemaFamily): string {
  return path.join(projectRoot(), 'db', family, 'migrations');
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function expectedMigrations(family: SchemaFamily): { count: number; latest: number; latestTag: string } {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder(family), 'meta', '_journal.json'), 'utf8'),
  ) as Journal;
  const last = journal.entries[journal.entries.length - 1]!;
  return { count: journal.entries.length, latest: last.when, latestTag: last.tag };
}

/**
 * Apply pending migrations, serialised across processes by an advisory lock. Runs on a
 * dedicated single connection, so the lock and the migration share one session and the
 * handle's own pool (maybe one connection) stays free.
 */
export async function applyMigrations(handle: DbHandle<Record<string, unknown>>, family: SchemaFamily): Promise<void> {
  const sql = postgres(handle.url, { max: 1, onnotice: () => {}, connect_timeout: 10, connection: { application_name: 'cellar:migrate' } });
  const lockKey = `cellar-migrate-${family}`;
  try {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`;
    await migrate(drizzle(sql), {
      migrationsFolder: migrationsFolder(family),
      migrationsSchema: MIGRATIONS_SCHEMA,
      migrationsTable: MIGRATIONS_TABLE,
    });
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export type SchemaState = 'current' | 'behind' | 'uninitialised' | 'ahead';

export interface SchemaStatus {
  state: SchemaState;
  applied: number;
  expected: number;
  /** A plain sentence for people. */
  summary: string;
}

/**
 * Read-only: how far a database's schema is from this code's migrations. A read never
 * migrates; a cell that is behind is reported so an operator can run `db sync`.
 */
export async function readSchemaStatus(sql: postgres.Sql, family: SchemaFamily): Promise<SchemaStatus> {
  const expected = expectedMigrations(family);
  const [exists] = await sql<{ present: boolean }[]>`
    select to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`}) is not null as present`;
  if (!exists?.present) {
    return {
      state: 'uninitialised',
      applied: 0,
      expected: expected.count,
      summary: `no Cellar schema (0 of ${expected.count} migrations applied)`,
    };
  }
  const rows = await sql<{ n: string; latest: string | null }[]>`
    select count(*)::text as n, max(created_at)::text as latest
    from ${sql(MIGRATIONS_SCHEMA)}.${sql(MIGRATIONS_TABLE)}`;
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
  if (latest < expected.latest || applied < expected.count) {
    const pending = Math.max(expected.count - applied, 1);
    return {
      state: 'behind',
      applied,
      expected: expected.count,
      summary: `schema is behind: ${pending} migration${pending === 1 ? '' : 's'} pending (run: cellar db sync)`,
    };
  }
  return { state: 'current', applied, expected: expected.count, summary: 'schema is current' };
}
