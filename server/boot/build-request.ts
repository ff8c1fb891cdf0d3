/**
 * Reading a build request's instance JSON (the Instance primitive nova's API stored,
 * cells-v2.md §1.4) into what the conductor needs to write the instance row. Tolerant:
 * NULL, truncated or foreign JSON gives null, which nova treats as BuildRequestNotFound.
 */
import { type EmbeddedFlavor, type FlavorData, type Primitive, readFlavorFromPrimitive } from '../nova/primitives';

export interface PendingInstance {
  uuid: string;
  projectId: string;
  userId: string | null;
  displayName: string | null;
  displayDescription: string | null;
  hostname: string | null;
  imageRef: string;
  kernelId: string | null;
  ramdiskId: string | null;
  keyName: string | null;
  reservationId: string | null;
  launchIndex: number;
  availabilityZone: string | null;
  lockedBy: string | null;
  /** The embedded Flavor primitive, copied as is into instance_extra.flavor. */
  flavorPrimitive: Primitive<FlavorData>;
  flavor: EmbeddedFlavor;
  /** flavors.id at boot time (instance_type_id); a weak hint, the embedded copy is authoritative. */
  instanceTypeId: number | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

export function readBuildRequestInstance(row: { instanceUuid: string; projectId: string; instance: string | null }): PendingInstance | null {
  if (row.instance === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.instance);
  } catch {
    return null;
  }
  if (!isObject(parsed) || parsed['nova_object.name'] !== 'Instance') return null;
  const d = parsed['nova_object.data'];
  if (!isObject(d) || !isObject(d.flavor)) return null;
  const flavor = readFlavorFromPrimitive(d.flavor);
  if (!flavor) return null;
  const flavorData = (d.flavor as Record<string, unknown>)['nova_object.data'];
  return {
    uuid: row.instanceUuid,
    projectId: str(d.project_id) ?? row.projectId,
    userId: str(d.user_id),
    displayName: str(d.display_name),
    displayDescription: str(d.display_description),
    hostname: str(d.hostname),
    imageRef: str(d.image_ref) ?? '',
    kernelId: str(d.kernel_id),
    ramdiskId: str(d.ramdisk_id),
    keyName: str(d.key_name),
    reservationId: str(d.reservation_id),
    launchIndex: int(d.launch_index) ?? 0,
    availabilityZone: str(d.availability_zone),
    lockedBy: str(d.locked_by),
    flavorPrimitive: d.flavor as unknown as Primitive<FlavorData>,
    flavor,
    instanceTypeId: int(d.instance_type_id) ?? (isObject(flavorData) ? int(flavorData.id) : null),
  };
}
