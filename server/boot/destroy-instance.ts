/**
 * nova's `instance.destroy()` (instance_destroy, cells-v2.md §2.6) for instances Cellar's
 * conductor just created, or that a build-request delete finds already in a cell:
 * soft-delete (deleted = id, deleted_at) the instance and its instance_extra and
 * instance_faults rows; instance actions are kept for the record. The node usage the
 * instance held is given back in the same transaction — only by the statement that
 * moved the row from live to deleted, so two destroys racing give it back once.
 */
import type { CellHandle } from '@/db/connect';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { type Release, releaseOnNodes } from './claim';
import { flavorNeed } from './fit';

/** Returns the uuids this call destroyed (those already deleted are not repeated). */
export async function destroyInstances(handle: CellHandle, uuids: readonly string[], now: Date): Promise<string[]> {
  if (uuids.length === 0) return [];
  return handle.sql.begin(async (sql) => {
    const gone = await sql<
      { uuid: string; compute_id: string | null; vcpus: number | null; memory_mb: number | null; root_gb: number | null; ephemeral_gb: number | null; image_ref: string | null }[]
    >`
      update instances set deleted = id, deleted_at = ${now.toISOString()}::timestamp, updated_at = ${now.toISOString()}::timestamp
      where uuid in ${sql(uuids as string[])} and deleted = 0
      returning uuid, compute_id, vcpus, memory_mb, root_gb, ephemeral_gb, image_ref`;
    if (gone.length === 0) return [];
    const goneUuids = gone.map((g) => g.uuid);
    const extras = await sql<{ instance_uuid: string; flavor: string | null }[]>`
      update instance_extra set deleted = id, deleted_at = ${now.toISOString()}::timestamp, updated_at = ${now.toISOString()}::timestamp
      where instance_uuid in ${sql(goneUuids)} and deleted = 0
      returning instance_uuid, flavor`;
    await sql`
      update instance_faults set deleted = id, deleted_at = ${now.toISOString()}::timestamp, updated_at = ${now.toISOString()}::timestamp
      where instance_uuid in ${sql(goneUuids)} and deleted = 0`;

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
