import 'server-only';
/**
 * nova's `instance.destroy()` (nova/db/main/api.py instance_destroy, cells-v2.md §2.6):
 *
 * - the instance is soft-deleted: deleted = id, deleted_at = now, and updated_at left as
 *   it was (oslo.db's Query.soft_delete sets `updated_at = updated_at`);
 * - then, matched by instance_uuid (instance_id_mappings by uuid), every live row of
 *   security_group_instance_association, instance_info_caches, instance_metadata,
 *   instance_faults, instance_extra, instance_system_metadata, block_device_mapping,
 *   migrations, virtual_interfaces and instance_id_mappings is soft-deleted the same way;
 * - tags (resource_id) and console_auth_tokens are hard-deleted;
 * - instance_actions and their events are kept, for the record.
 *
 * A database Cellar made holds only some of these tables (instance_extra,
 * instance_faults): those that are there are written, in the order above. Used for the
 * instances Cellar's conductor just created, for one a build-request delete finds already
 * in a cell, and for cell0 deletes.
 *
 * In a cell database Cellar made, the node usage its conductor claimed for the instance
 * is given back in the same transaction — only by the statement that moved the row from
 * live to deleted, so two destroys racing give it back once. In a cell nova made, nova's
 * resource tracker owns that usage (and nova 26 has no instances.compute_id): nothing is
 * given back there.
 */
import type postgres from 'postgres';
import type { CellHandle } from '@/db/connect';
import { readSchemaOwner } from '@/db/schema-owner';
import type { PrivilegeNeed } from '../nova/write-privileges';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { type Release, releaseOnNodes } from './claim';
import { flavorNeed } from './fit';

/** instance_destroy's soft-deleted tables, in its order, with the column naming the instance. */
export const DESTROY_SOFT_DELETED: readonly { table: string; key: 'instance_uuid' | 'uuid' }[] = [
  { table: 'security_group_instance_association', key: 'instance_uuid' },
  { table: 'instance_info_caches', key: 'instance_uuid' },
  { table: 'instance_metadata', key: 'instance_uuid' },
  { table: 'instance_faults', key: 'instance_uuid' },
  { table: 'instance_extra', key: 'instance_uuid' },
  { table: 'instance_system_metadata', key: 'instance_uuid' },
  { table: 'block_device_mapping', key: 'instance_uuid' },
  { table: 'migrations', key: 'instance_uuid' },
  { table: 'virtual_interfaces', key: 'instance_uuid' },
  { table: 'instance_id_mappings', key: 'uuid' },
];

/** instance_destroy's hard-deleted tables (they have no `deleted` column). */
export const DESTROY_HARD_DELETED: readonly { table: string; key: 'resource_id' | 'instance_uuid' }[] = [
  { table: 'tags', key: 'resource_id' },
  { table: 'console_auth_tokens', key: 'instance_uuid' },
];

/** What a destroy writes in a cell database: for requireWritePrivileges before it starts. */
export const DESTROY_NEEDS: PrivilegeNeed[] = [
  { table: 'instances', privileges: ['SELECT', 'UPDATE'] },
  ...DESTROY_SOFT_DELETED.map((t) => ({ table: t.table, privileges: ['SELECT', 'UPDATE'] as PrivilegeNeed['privileges'], optional: true })),
  ...DESTROY_HARD_DELETED.map((t) => ({ table: t.table, privileges: ['SELECT', 'DELETE'] as PrivilegeNeed['privileges'], optional: true })),
];

/**
 * The related rows of instances just soft-deleted, as instance_destroy writes them: one
 * statement per table that this database has (which ones: one query).
 */
export async function destroyRelatedRows(sql: postgres.TransactionSql, uuids: readonly string[], now: Date): Promise<void> {
  if (uuids.length === 0) return;
  const names = [...DESTROY_SOFT_DELETED, ...DESTROY_HARD_DELETED].map((t) => t.table);
  const present = new Set(
    (
      await sql<{ t: string }[]>`
        select t from unnest(${names}::text[]) as t where to_regclass('public.' || quote_ident(t)) is not null`
    ).map((r) => r.t),
  );
  const ids = [...uuids];
  const at = now.toISOString();
  for (const { table, key } of DESTROY_SOFT_DELETED) {
    if (!present.has(table)) continue;
    await sql`
      update ${sql(table)} set deleted = id, deleted_at = ${at}::timestamp
      where ${sql(key)} = any(${ids}::text[]) and deleted = 0`;
  }
  for (const { table, key } of DESTROY_HARD_DELETED) {
    if (!present.has(table)) continue;
    await sql`delete from ${sql(table)} where ${sql(key)} = any(${ids}::text[])`;
  }
}

/** Returns the uuids this call destroyed (those already deleted are not repeated). */
export async function destroyInstances(handle: CellHandle, uuids: readonly string[], now: Date): Promise<string[]> {
  if (uuids.length === 0) return [];
  const novaMade = (await readSchemaOwner(handle.sql, 'cell')).owner === 'nova';
  const at = now.toISOString();
  return handle.sql.begin(async (sql) => {
    if (novaMade) {
      const gone = await sql<{ uuid: string }[]>`
        update instances set deleted = id, deleted_at = ${at}::timestamp
        where uuid in ${sql(uuids as string[])} and deleted = 0
        returning uuid`;
      const goneUuids = gone.map((g) => g.uuid);
      await destroyRelatedRows(sql, goneUuids, now);
      return goneUuids;
    }
    const gone = await sql<
      {
        uuid: string;
        compute_id: string | null;
        vcpus: number | null;
        memory_mb: number | null;
        root_gb: number | null;
        ephemeral_gb: number | null;
        image_ref: string | null;
      }[]
    >`
      update instances set deleted = id, deleted_at = ${at}::timestamp
      where uuid in ${sql(uuids as string[])} and deleted = 0
      returning uuid, compute_id, vcpus, memory_mb, root_gb, ephemeral_gb, image_ref`;
    if (gone.length === 0) return [];
    const goneUuids = gone.map((g) => g.uuid);
    // The flavor's swap, read before its instance_extra row is soft-deleted with the rest.
    const extras = await sql<{ instance_uuid: string; flavor: string | null }[]>`
      select instance_uuid, flavor from instance_extra where instance_uuid in ${sql(goneUuids)} and deleted = 0`;
    await destroyRelatedRows(sql, goneUuids, now);

    const swapOf = new Map(extras.map((e) => [e.instance_uuid, readFlavorFromPrimitive(e.flavor)?.swap ?? 0]));
    const releases: Release[] = gone
      .filter((g) => g.compute_id !== null)
      .map((g) => ({
        nodeId: Number(g.compute_id),
        instances: 1,
        ...flavorNeed(
          { vcpus: g.vcpus ?? 0, memoryMb: g.memory_mb ?? 0, rootGb: g.root_gb, ephemeralGb: g.ephemeral_gb, swap: swapOf.get(g.uuid) ?? 0 },
          { bootFromVolume: g.image_ref === '' },
        ),
      }));
    await releaseOnNodes(sql, releases, now);
    return goneUuids;
  });
}
