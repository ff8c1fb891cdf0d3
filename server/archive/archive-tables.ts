import 'server-only';
/**
 * Which tables archive_deleted_rows moves, in which order, and which rows go with them:
 * nova's own, read from nova 26's code (nova/db/main/api.py archive_deleted_rows over
 * `MetaData.reflect().sorted_tables` of a nova-made cell database, less the shadow tables,
 * alembic_version and models.REMOVED_TABLES; the foreign keys its _get_fk_stmts follows,
 * from nova/db/main/models.py).
 *
 * Each table in NOVA_ARCHIVE_ORDER gives up its soft-deleted rows (deleted != 0, and
 * deleted_at < --before when given); with each such row go the rows of the tables that
 * refer to it by foreign key (ARCHIVE_CHILDREN), deleted or not, and theirs in turn —
 * children moved before their parents, in one transaction. A table with no shadow table
 * in the database is skipped, as nova skips it (console_auth_tokens and tags have none).
 *
 * What is read from the database itself: which tables and shadow tables exist and their
 * columns (a newer nova's extra columns move too), never the order.
 */
import type postgres from 'postgres';

/** nova 26's sorted_tables order, parents before the tables that refer to them. */
export const NOVA_ARCHIVE_ORDER = [
  'certificates',
  'compute_nodes',
  'console_auth_tokens',
  'instance_id_mappings',
  'instances',
  'project_user_quotas',
  'quota_classes',
  'quota_usages',
  'quotas',
  's3_images',
  'security_groups',
  'services',
  'tags',
  'task_log',
  'volume_usage_cache',
  'block_device_mapping',
  'instance_actions',
  'instance_extra',
  'instance_faults',
  'instance_info_caches',
  'instance_metadata',
  'instance_system_metadata',
  'migrations',
  'pci_devices',
  'reservations',
  'security_group_instance_association',
  'security_group_rules',
  'virtual_interfaces',
  'instance_actions_events',
] as const;

export interface ChildKey {
  table: string;
  /** The child's column (instance_extra.instance_uuid)… */
  column: string;
  /** …and the parent's column it refers to (instances.uuid). */
  references: string;
}

/**
 * nova's models: the tables that refer to each table by foreign key, in the models' order.
 * security_group_rules refers to security_groups twice (group_id, parent_group_id).
 */
export const ARCHIVE_CHILDREN: Readonly<Record<string, readonly ChildKey[]>> = {
  compute_nodes: [{ table: 'pci_devices', column: 'compute_node_id', references: 'id' }],
  instances: [
    'instance_info_caches',
    'instance_extra',
    'block_device_mapping',
    'security_group_instance_association',
    'migrations',
    'virtual_interfaces',
    'instance_metadata',
    'instance_system_metadata',
    'instance_faults',
    'instance_actions',
  ].map((table) => ({ table, column: 'instance_uuid', references: 'uuid' })),
  quota_usages: [{ table: 'reservations', column: 'usage_id', references: 'id' }],
  security_groups: [
    { table: 'security_group_instance_association', column: 'security_group_id', references: 'id' },
    { table: 'security_group_rules', column: 'parent_group_id', references: 'id' },
    { table: 'security_group_rules', column: 'group_id', references: 'id' },
  ],
  instance_actions: [{ table: 'instance_actions_events', column: 'action_id', references: 'id' }],
};

export const SHADOW_PREFIX = 'shadow_';

/** A table archive_deleted_rows can move in this database: it and its shadow table exist. */
export interface ArchiveTable {
  name: string;
  shadow: string;
  /** The columns moved: the table's, every one of which the shadow table has. */
  columns: string[];
  /**
   * What is inserted for each column, from the deleted rows: the column, or a cast where the
   * shadow's type differs (nova's shadow_instances.locked_by is an enum of its own).
   */
  casts: string[];
  hasDeletedAt: boolean;
}

export interface ArchivePlan {
  /** In nova's order. */
  tables: ArchiveTable[];
  byName: Map<string, ArchiveTable>;
  /** Tables nova would archive that this database cannot: no shadow table, or a column the shadow lacks. */
  skipped: { table: string; why: string }[];
}

/** Which of nova's tables this cell database has with their shadow tables, and their columns. */
export async function readArchivePlan(sql: postgres.Sql | postgres.TransactionSql): Promise<ArchivePlan> {
  const rows = await sql<{ table_name: string; column_name: string; type: string }[]>`
    select table_name, column_name, quote_ident(udt_schema) || '.' || quote_ident(udt_name) as type
    from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`;
  const columns = new Map<string, string[]>();
  const types = new Map<string, string>();
  for (const r of rows) {
    const list = columns.get(r.table_name) ?? [];
    list.push(r.column_name);
    columns.set(r.table_name, list);
    types.set(`${r.table_name}.${r.column_name}`, r.type);
  }
  const tables: ArchiveTable[] = [];
  const skipped: ArchivePlan['skipped'] = [];
  for (const name of NOVA_ARCHIVE_ORDER) {
    const own = columns.get(name);
    if (!own) continue;
    const shadow = columns.get(SHADOW_PREFIX + name);
    if (!shadow) {
      skipped.push({ table: name, why: 'no shadow table' });
      continue;
    }
    if (!own.includes('deleted') || !own.includes('id')) {
      skipped.push({ table: name, why: 'no deleted or id column' });
      continue;
    }
    const missing = own.filter((c) => !shadow.includes(c));
    if (missing.length) {
      skipped.push({ table: name, why: `${SHADOW_PREFIX}${name} has no column ${missing.join(', ')}` });
      continue;
    }
    const casts = own.map((c) => {
      const to = types.get(`${SHADOW_PREFIX}${name}.${c}`)!;
      return types.get(`${name}.${c}`) === to ? quoteIdent(c) : `${quoteIdent(c)}::text::${to}`;
    });
    tables.push({ name, shadow: SHADOW_PREFIX + name, columns: own, casts, hasDeletedAt: own.includes('deleted_at') });
  }
  return { tables, byName: new Map(tables.map((t) => [t.name, t])), skipped };
}

/** Every shadow table of the database, for purge (nova purges them all, whatever their main table). */
export async function readShadowTables(sql: postgres.Sql): Promise<{ name: string; columns: string[] }[]> {
  const rows = await sql<{ table_name: string; columns: string[] }[]>`
    select table_name, array_agg(column_name::text order by ordinal_position) as columns
    from information_schema.columns
    where table_schema = current_schema() and table_name like 'shadow\\_%' and table_name not like '%migrate_version'
    group by table_name order by table_name`;
  return rows.map((r) => ({ name: r.table_name, columns: r.columns }));
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
