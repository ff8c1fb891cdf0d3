import 'server-only';
/**
 * Who made a database's nova tables. A deployment's databases are made by nova's own
 * migrations (alembic, with its `alembic_version` table; sqlalchemy-migrate's
 * `migrate_version` before Wallaby); the embedded demo, test databases and a new
 * installation are made by Cellar, which records its own migrations of the
 * nova-compatible tables. Cellar never creates, alters or drops anything in a database
 * nova made: this is the one place that decides which kind a database is.
 */
import type postgres from 'postgres';

export type SchemaOwner = 'nova' | 'cellar' | 'empty';

/** The tracking table of Cellar's nova-compatible tables in an api database. */
export const API_TABLES_TRACKING = 'nova_tables_migrations';
/** The tracking table of Cellar's own schema (api) and of a Cellar-made cell database. */
export const CELLAR_TRACKING = 'schema_migrations';

export interface SchemaOwnerReading {
  owner: SchemaOwner;
  /** nova's alembic revision, when nova made the database and recorded one. */
  novaRevision: string | null;
  /** sqlalchemy-migrate's version, for a database nova made before alembic (pre-Wallaby). */
  legacyVersion: number | null;
}

/** A table that only nova's (or Cellar's nova-compatible) schema has, per kind of database. */
const MARKER_TABLE = { api: 'cell_mappings', cell: 'instances' } as const;

export async function readSchemaOwner(sql: postgres.Sql, family: 'api' | 'cell'): Promise<SchemaOwnerReading> {
  const tracking = family === 'api' ? API_TABLES_TRACKING : CELLAR_TRACKING;
  const [r] = await sql<{ alembic: boolean; migrate: boolean; marker: boolean; tracked: boolean; legacy_cellar: boolean }[]>`
    select to_regclass('public.alembic_version') is not null as alembic,
           to_regclass('public.migrate_version') is not null as migrate,
           to_regclass(${`public.${MARKER_TABLE[family]}`}) is not null as marker,
           to_regclass(${`cellar.${tracking}`}) is not null as tracked,
           ${family === 'api'} and to_regclass('cellar.schema_migrations') is not null as legacy_cellar`;
  if (r!.alembic) {
    const [v] = await sql<{ version_num: string }[]>`select version_num from public.alembic_version limit 1`;
    return { owner: 'nova', novaRevision: v?.version_num ?? null, legacyVersion: null };
  }
  if (r!.migrate) {
    const [v] = await sql<{ version: number }[]>`select version from public.migrate_version limit 1`.catch(() => []);
    return { owner: 'nova', novaRevision: null, legacyVersion: v?.version ?? null };
  }
  if (r!.tracked) return { owner: 'cellar', novaRevision: null, legacyVersion: null };
  // An api database made by Cellar before its nova-compatible tables had their own
  // tracking: the tables sit beside Cellar's schema, and nova left no version table.
  if (r!.marker && r!.legacy_cellar) return { owner: 'cellar', novaRevision: null, legacyVersion: null };
  // nova's tables with no version table of either tool: nova's all the same (hand-made
  // or damaged); Cellar does not touch it.
  if (r!.marker) return { owner: 'nova', novaRevision: null, legacyVersion: null };
  return { owner: 'empty', novaRevision: null, legacyVersion: null };
}

/** Whether the deployment behind this api database was made by nova (not Cellar's demo). */
export async function isNovaMade(sql: postgres.Sql): Promise<boolean> {
  return (await readSchemaOwner(sql, 'api')).owner === 'nova';
}
