/**
 * Test helpers: write instances the way nova leaves them (an instances row, its
 * instance_extra with the embedded flavor, an instance mapping in the api database),
 * set-based: one statement per table.
 */
import type { ApiHandle, CellHandle } from '@/db/connect';
import { flavorPrimitive, instanceExtraFlavor } from '../nova/primitives';

export interface SeedInstance {
  uuid: string;
  /** Naive UTC, e.g. '2026-01-02 03:04:05.123456'. */
  createdAt: string;
  updatedAt?: string | null;
  displayName?: string | null;
  projectId?: string;
  userId?: string;
  vmState?: string | null;
  taskState?: string | null;
  host?: string | null;
  /** Soft-deleted the way nova does it: deleted = id, deleted_at set. */
  deleted?: boolean;
  hidden?: boolean;
  flavor?: string;
  /** Mapping flags; default queued_for_delete = deleted or soft-delete. */
  queuedForDelete?: boolean | null;
  /** No instance mapping at all (never mapped by map_instances). */
  unmapped?: boolean;
}

export function flavorJson(name: string): string {
  return instanceExtraFlavor(
    flavorPrimitive({
      id: 1,
      name,
      memoryMb: 2048,
      vcpus: 1,
      rootGb: 20,
      ephemeralGb: 0,
      flavorid: name,
      swap: 0,
      rxtxFactor: 1,
      vcpuWeight: null,
      disabled: false,
      isPublic: true,
      description: null,
    }),
  );
}

export async function seedInstances(api: ApiHandle, cell: { id: number; handle: CellHandle }, rows: SeedInstance[]): Promise<void> {
  if (rows.length === 0) return;
  const sql = cell.handle.sql;
  const inst = rows.map((r) => ({
    uuid: r.uuid,
    created_at: r.createdAt,
    updated_at: r.updatedAt ?? null,
    display_name: r.displayName === undefined ? `vm-${r.uuid.slice(0, 8)}` : r.displayName,
    project_id: r.projectId ?? 'project-a',
    user_id: r.userId ?? 'user-a',
    vm_state: r.vmState === undefined ? 'active' : r.vmState,
    task_state: r.taskState ?? null,
    host: r.host === undefined ? 'cmp-1' : r.host,
    node: r.host === undefined ? 'cmp-1' : r.host,
    hidden: r.hidden ?? false,
    deleted_flag: r.deleted ?? false,
  }));
  await sql`insert into instances (uuid, created_at, updated_at, display_name, project_id, user_id, vm_state, task_state, host, node, hidden, deleted)
    select uuid, created_at::timestamp, updated_at::timestamp, display_name, project_id, user_id, vm_state, task_state, host, node, hidden, 0
    from jsonb_to_recordset(${JSON.stringify(inst)}::jsonb) as x(uuid text, created_at text, updated_at text, display_name text, project_id text,
      user_id text, vm_state text, task_state text, host text, node text, hidden boolean)`;
  await sql`insert into instance_extra (instance_uuid, flavor, created_at)
    select uuid, flavor, created_at::timestamp from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ uuid: r.uuid, flavor: flavorJson(r.flavor ?? 'm1.small'), created_at: r.createdAt })))}::jsonb)
    as x(uuid text, flavor text, created_at text)`;
  const gone = rows.filter((r) => r.deleted).map((r) => r.uuid);
  if (gone.length) {
    await sql`update instances set deleted = id, deleted_at = created_at + interval '1 hour' where uuid = any(${gone}::text[])`;
    await sql`update instance_extra set deleted = id where instance_uuid = any(${gone}::text[])`;
  }
  const mapped = rows.filter((r) => !r.unmapped);
  if (mapped.length) {
    await api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
      select uuid, ${cell.id}::int, project_id, user_id, queued, created_at::timestamp
      from jsonb_to_recordset(${JSON.stringify(
        mapped.map((r) => ({
          uuid: r.uuid,
          project_id: r.projectId ?? 'project-a',
          user_id: r.userId ?? 'user-a',
          queued: r.queuedForDelete !== undefined ? r.queuedForDelete : Boolean(r.deleted) || r.vmState === 'soft-delete',
          created_at: r.createdAt,
        })),
      )}::jsonb) as x(uuid text, project_id text, user_id text, queued boolean, created_at text)`;
  }
}
