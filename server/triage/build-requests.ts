import 'server-only';
/**
 * Pending build requests (§1.4, §9.6–9.8): boots accepted by the API that no conductor
 * has placed yet. Everything here is in the api database.
 *
 * - Display data comes from the `instance` JSON (nova's Instance primitive); age comes
 *   from the row's created_at, which the JSON does not hold.
 * - The JSON is read defensively: NULL, not JSON, or not an Instance 2.x primitive is
 *   "corrupt" (nova raises BuildRequestNotFound for such rows), never an error.
 * - Instance mappings with no cell and no build request are orphans (§5.4 step 6), except
 *   map_instances' marker and the VIF migration's fake instance, which are never shown.
 */
import type postgres from 'postgres';
import type { CellSummary } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { utcDate } from '@/db/timestamps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { type EmbeddedFlavor, readFlavorFromPrimitive } from '../nova/primitives';
import { DEFAULT_STUCK_AFTER_MINUTES } from './stuck-threshold';

export type Corruption = 'null' | 'not-json' | 'not-an-instance' | 'unknown-version';

export interface PendingBuildRequest {
  instanceUuid: string | null;
  projectId: string;
  createdAt: Date | null;
  ageSeconds: number | null;
  stuck: boolean;
  /** Why the instance JSON cannot be read, or null when it can. */
  corrupt: { kind: Corruption; reason: string } | null;
  name: string | null;
  userId: string | null;
  flavor: EmbeddedFlavor | null;
  /** Glance id; '' means boot from volume. */
  imageRef: string | null;
  availabilityZone: string | null;
  /** When the mapping already has a cell, the conductor is mid-way (§5.2): where it went. */
  mappedCell: CellSummary | null;
}

export interface OrphanMapping {
  instanceUuid: string;
  projectId: string;
  userId: string | null;
  /** NULL: not migrated yet (treated as not deleted). */
  queuedForDelete: boolean | null;
  createdAt: Date | null;
}

export interface BuildRequestsList {
  buildRequests: PendingBuildRequest[];
  orphans: OrphanMapping[];
  stuckAfterMinutes: number;
  asOf: Date;
}

interface InstanceData {
  display_name?: unknown;
  user_id?: unknown;
  image_ref?: unknown;
  availability_zone?: unknown;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Read build_requests.instance as nova would load it, or say why it cannot be. */
export function readBuildRequestInstance(
  json: string | null,
): { data: InstanceData; corrupt: null } | { data: null; corrupt: { kind: Corruption; reason: string } } {
  if (json === null) return { data: null, corrupt: { kind: 'null', reason: 'the instance column is NULL' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { data: null, corrupt: { kind: 'not-json', reason: 'the instance column is not JSON (truncated write?)' } };
  }
  const o = parsed as Record<string, unknown> | null;
  const name = o && typeof o === 'object' ? o['nova_object.name'] : undefined;
  const data = o && typeof o === 'object' ? o['nova_object.data'] : undefined;
  if (name !== 'Instance' || !data || typeof data !== 'object' || Array.isArray(data)) {
    return {
      data: null,
      corrupt: {
        kind: 'not-an-instance',
        reason: `the instance column is not an Instance primitive (${typeof name === 'string' ? name : 'no nova_object.name'})`,
      },
    };
  }
  // Instance has been 2.x since Mitaka; nova cannot load a major version it does not know.
  const version = o!['nova_object.version'];
  if (typeof version !== 'string' || !/^2\.\d+$/.test(version)) {
    return { data: null, corrupt: { kind: 'unknown-version', reason: `unknown Instance version ${JSON.stringify(version ?? null)}` } };
  }
  return { data: data as InstanceData, corrupt: null };
}

/**
 * The build_requests rows (as `b`) that are pending boots: never map_instances' marker or
 * the VIF migration's fake instance. Shared with the age buckets (build-request-ages.ts).
 */
export function pendingBuildRequestsWhere(sql: postgres.Sql) {
  return sql`b.project_id <> ${INSTANCE_MIGRATION_MARKER}
    and b.project_id <> ${FAKE_INSTANCE_UUID}
    and b.instance_uuid is distinct from ${FAKE_INSTANCE_UUID}`;
}

/**
 * The instance_mappings rows (as `m`) that are orphans: no cell, no build request, and not
 * map_instances' marker or the VIF migration's fake instance. Shared with the repair that
 * deletes them (server/repairs/find-orphan-mappings.ts), so the idea is written once.
 */
export function orphanMappingsWhere(sql: postgres.Sql) {
  return sql`m.cell_id is null
    and m.project_id <> ${INSTANCE_MIGRATION_MARKER}
    and m.project_id <> ${FAKE_INSTANCE_UUID}
    and m.instance_uuid <> ${FAKE_INSTANCE_UUID}
    and not exists (select 1 from build_requests b where b.instance_uuid = m.instance_uuid)`;
}

interface Row {
  instance_uuid: string | null;
  project_id: string;
  instance: string | null;
  created_at: string | null;
  age_s: number | null;
  cell_uuid: string | null;
  cell_name: string | null;
}

export async function listBuildRequests(deps: Deps, opts: { stuckAfterMinutes?: number } = {}): Promise<BuildRequestsList> {
  const stuckAfterMinutes = opts.stuckAfterMinutes ?? DEFAULT_STUCK_AFTER_MINUTES;
  const now = deps.now();
  const nowTs = now.toISOString();
  const [rows, orphans] = await Promise.all([
    deps.api.sql<Row[]>`
      select b.instance_uuid, b.project_id, b.instance, b.created_at::text as created_at,
             extract(epoch from (${nowTs}::timestamp - b.created_at))::float8 as age_s,
             c.uuid as cell_uuid, c.name as cell_name
      from build_requests b
      left join instance_mappings m on m.instance_uuid = b.instance_uuid
      left join cell_mappings c on c.id = m.cell_id
      where ${pendingBuildRequestsWhere(deps.api.sql)}
      order by b.created_at nulls first, b.id`,
    deps.api.sql<Array<{ instance_uuid: string; project_id: string; user_id: string | null; queued_for_delete: boolean | null; created_at: string | null }>>`
      select m.instance_uuid, m.project_id, m.user_id, m.queued_for_delete, m.created_at::text as created_at
      from instance_mappings m
      where ${orphanMappingsWhere(deps.api.sql)}
      order by m.created_at nulls first, m.id`,
  ]);
  const stuckAfterS = stuckAfterMinutes * 60;
  return {
    buildRequests: rows.map((r) => {
      const read = readBuildRequestInstance(r.instance);
      const d = read.data;
      const age = r.age_s === null ? null : Math.max(0, Math.floor(r.age_s));
      return {
        instanceUuid: r.instance_uuid,
        projectId: r.project_id,
        createdAt: utcDate(r.created_at),
        ageSeconds: age,
        stuck: age !== null && age > stuckAfterS,
        corrupt: read.corrupt,
        name: d ? str(d.display_name) : null,
        userId: d ? str(d.user_id) : null,
        flavor: d ? readFlavorFromPrimitive(r.instance) : null,
        imageRef: d ? str(d.image_ref) : null,
        availabilityZone: d ? str(d.availability_zone) : null,
        mappedCell: r.cell_uuid ? { uuid: r.cell_uuid, name: r.cell_name } : null,
      };
    }),
    orphans: orphans.map((o) => ({
      instanceUuid: o.instance_uuid,
      projectId: o.project_id,
      userId: o.user_id,
      queuedForDelete: o.queued_for_delete,
      createdAt: utcDate(o.created_at),
    })),
    stuckAfterMinutes,
    asOf: now,
  };
}
