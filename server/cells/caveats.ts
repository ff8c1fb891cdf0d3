/**
 * nova caches cell and host mappings per process (cells-v2.md §4 "Caveats", §9.16):
 * a change made here is only seen by nova's services after a SIGHUP or a restart.
 * The console and the CLI show these same sentences after such a change.
 */
export const RESTART_NOTICES = {
  cellCreated: "nova's schedulers cache the cell list: send SIGHUP to every nova-scheduler (or restart them) so they start using the new cell.",
  cellEnabledOrDisabled: "nova's schedulers cache whether a cell is disabled: send SIGHUP to every nova-scheduler (or restart them) for this to take effect.",
  cellUrlsChanged: 'nova-api, nova-conductor and nova-scheduler cache cell URLs: restart them so they connect to the new URLs.',
  cellDeleted:
    'nova-api, nova-conductor and nova-scheduler cache the cell list: restart them (SIGHUP the schedulers at least) so they stop using the deleted cell.',
  hostMappingDeleted: "nova's schedulers cache host-to-cell mappings: send SIGHUP to every nova-scheduler so they stop routing to this host.",
  hostsMapped: "nova's schedulers cache host-to-cell mappings: send SIGHUP to every nova-scheduler so they can place instances on the newly mapped hosts.",
} as const;

export type RestartNotice = (typeof RESTART_NOTICES)[keyof typeof RESTART_NOTICES];
