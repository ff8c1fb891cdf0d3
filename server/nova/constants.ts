/** nova's magic values (cells-v2.md §3). */
export const CELL0_UUID = '00000000-0000-0000-0000-000000000000';
/** The VIF online migration's fake, soft-deleted instance: uuid, project and user all zero. */
export const FAKE_INSTANCE_UUID = '00000000-0000-0000-0000-000000000000';
/** map_instances' resume marker row in instance_mappings. */
export const INSTANCE_MIGRATION_MARKER = 'INSTANCE_MIGRATION_MARKER';
export const CELL0_TRANSPORT_URL = 'none:///';

export const VM_STATES = [
  'active',
  'building',
  'paused',
  'suspended',
  'stopped',
  'rescued',
  'resized',
  'soft-delete',
  'deleted',
  'error',
  'shelved',
  'shelved_offloaded',
] as const;
export type VmState = (typeof VM_STATES)[number];

/** nova/compute/power_state.py */
export const POWER_STATE = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

/** nova/objects/service.py SERVICE_VERSION today. */
export const SERVICE_VERSION = 73;

export const NO_VALID_HOST = 'No valid host was found.';

export function isCell0(uuid: string): boolean {
  return uuid === CELL0_UUID;
}
