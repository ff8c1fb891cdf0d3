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

/**
 * The vm_state a search's `status:` names: a vm_state as nova stores it (`stopped`), or
 * the API status it shows by default (`SHUTOFF`), in any case, as nova's own `status`
 * filter maps a status to its vm_state. Null when it names none.
 */
export function vmStateForStatus(text: string): string | null {
  const t = text.trim().toLowerCase();
  for (const [vmState, map] of Object.entries(STATE_MAP)) {
    if (vmState === 'deleted') continue;
    if (t === vmState || t === map.default!.toLowerCase()) return vmState;
  }
  return null;
}

/** The statuses `status:` takes, for a message that refuses another one. */
export function statusSearchHelp(): string {
  return Object.entries(STATE_MAP)
    .filter(([vmState]) => vmState !== 'deleted')
    .map(([vmState, map]) => (map.default!.toLowerCase() === vmState ? map.default! : `${map.default} (${vmState})`))
    .join(', ');
}
