/**
 * nova's API status for an instance (nova/api/openstack/common.py::_STATE_MAP,
 * status_from_state): the vm_state picks a map, the task_state may override its default.
 * A pair nova does not know is UNKNOWN, as are instances of cells that did not answer.
 */
const REBOOT = { rebooting: 'REBOOT', reboot_pending: 'REBOOT', reboot_started: 'REBOOT' };
const HARD_REBOOT = { rebooting_hard: 'HARD_REBOOT', reboot_pending_hard: 'HARD_REBOOT', reboot_started_hard: 'HARD_REBOOT' };
const REBUILD = { rebuilding: 'REBUILD', rebuild_block_device_mapping: 'REBUILD', rebuild_spawning: 'REBUILD' };
const RESIZE = { resize_prep: 'RESIZE', resize_migrating: 'RESIZE', resize_migrated: 'RESIZE', resize_finish: 'RESIZE' };

const STATE_MAP: Record<string, Record<string, string>> = {
  active: { default: 'ACTIVE', ...REBOOT, ...HARD_REBOOT, updating_password: 'PASSWORD', ...REBUILD, migrating: 'MIGRATING', ...RESIZE },
  building: { default: 'BUILD' },
  stopped: { default: 'SHUTOFF', ...RESIZE, ...REBUILD },
  resized: { default: 'VERIFY_RESIZE', resize_reverting: 'REVERT_RESIZE' },
  paused: { default: 'PAUSED', migrating: 'MIGRATING' },
  suspended: { default: 'SUSPENDED' },
  rescued: { default: 'RESCUE' },
  error: { default: 'ERROR', ...REBUILD },
  deleted: { default: 'DELETED' },
  'soft-delete': { default: 'SOFT_DELETED' },
  shelved: { default: 'SHELVED' },
  shelved_offloaded: { default: 'SHELVED_OFFLOADED' },
};

export const UNKNOWN_STATUS = 'UNKNOWN';

export function statusFromState(vmState: string | null | undefined, taskState: string | null | undefined): string {
  const taskMap = vmState ? STATE_MAP[vmState] : undefined;
  if (!taskMap) return UNKNOWN_STATUS;
  return (taskState ? taskMap[taskState] : undefined) ?? taskMap.default!;
}
