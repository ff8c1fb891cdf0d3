/**
 * The hosts area for pages (browser-safe): the host mappings, unmapped computes and
 * discover_hosts procedures' inputs, the page sizes, and what they answer.
 */
import { z } from 'zod';
import type { DiscoveryRun } from './discovery-runs';
import { cellUuidSchema, cellUuidsSchema } from '../cells/cell-ref';
import { MARKER_MAX } from '../keyset';
import { DEFAULT_HOST_PAGE_SIZE, HOST_PAGE_SIZES } from './host-page-sizes';
import { HOST_SORT_DIRS, HOST_SORT_KEYS } from './host-sort';

export { DEFAULT_HOST_PAGE_SIZE, HOST_PAGE_SIZES } from './host-page-sizes';
export { HOST_SORT_DIRS, HOST_SORT_KEYS, type HostSortKey } from './host-sort';

/** nova's host_mappings.host is VARCHAR(255). */
export const hostNameSchema = z.string().trim().min(1, 'a host name is required').max(255, 'host names are at most 255 characters');

export const hostMappingsInput = z.object({
  cell: cellUuidSchema.nullish(),
  host: z.string().trim().max(255).nullish(),
  sort: z.enum(HOST_SORT_KEYS, { message: `sort is one of ${HOST_SORT_KEYS.join(', ')}` }).default('host'),
  dir: z.enum(HOST_SORT_DIRS, { message: 'dir is asc or desc' }).default('asc'),
  /** Keyset markers (made by the list, for this sort): the page after that row, or the page before it. */
  after: z.string().max(MARKER_MAX).nullish(),
  before: z.string().max(MARKER_MAX).nullish(),
  size: z
    .number()
    .int()
    .refine((n) => (HOST_PAGE_SIZES as readonly number[]).includes(n), `page size is one of ${HOST_PAGE_SIZES.join(', ')}`)
    .default(DEFAULT_HOST_PAGE_SIZE),
});

/** Reachability and unmapped computes: every cell, or only `cellUuids` (a page asks each cell on its own). */
export const cellsInput = z.object({ cellUuids: cellUuidsSchema.optional() }).optional();

export const deleteHostMappingInput = z.object({ cellUuid: cellUuidSchema, host: hostNameSchema });

export const discoverInput = z.object({
  cellUuid: cellUuidSchema.nullish(),
  byService: z.boolean().default(false),
  strict: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

/** Pause or resume periodic discovery (every replica). */
export const discoveryPausedInput = z.object({ paused: z.boolean() });

export type HostMappingsInput = z.input<typeof hostMappingsInput>;
export type DiscoverInput = z.input<typeof discoverInput>;

export type { HostMappingRow, HostMappingsPage } from './list-host-mappings';
export type { UnmappedCompute, UnmappedComputes, UnmappedDownCell } from './unmapped-computes';
export type { AlreadyMapped, DiscoverResult, HostInCell } from './discover-hosts';
export type { DiscoveryRun, LatestDiscoveryRuns } from './discovery-runs';

/** Periodic discovery (nova's discover_hosts_in_cells_interval) as every replica sees it. */
export interface DiscoverySchedule {
  /** This replica's interval in seconds, or null when periodic discovery is off here. */
  intervalS: number | null;
  paused: boolean;
  pausedBy: string | null;
  pausedAt: Date | null;
  /** The replica holding the lease, or null when none does (off everywhere, or its leader died and none took over yet). */
  leader: string | null;
  leaseUntil: Date | null;
  /** The leader's interval. */
  leaderIntervalS: number | null;
  /** When the last periodic run started (on whichever replica). */
  lastRunAt: Date | null;
  recentRuns: DiscoveryRun[];
}
export type { HealthReport } from '../cells/health';
export type { CellReachability, ReachabilityReport } from './reachability';
