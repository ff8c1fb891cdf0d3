/**
 * The triage area for pages (browser-safe): what the cell0 and build requests procedures
 * take (the schemas of inputs.ts, shared with the export route), the stuck threshold, and
 * what they answer.
 */
import { z } from 'zod';
import { cell0FiltersSchema, uuidSchema } from './inputs';
import { trendWindowSchema } from './trend-window';

export {
  buildRequestsListSchema,
  cell0DeleteSchema,
  cell0ExportSchema,
  cell0FiltersSchema,
  cell0ListSchema,
  cell0SortSchema,
  exportFormatSchema,
  PAGE_SIZES as CELL0_PAGE_SIZES,
  stuckAfterSchema,
  uuidSchema,
} from './inputs';
export { DEFAULT_STUCK_AFTER_MINUTES, MAX_STUCK_AFTER_MINUTES } from './stuck-threshold';
export {
  bucketIndex,
  bucketLabel,
  bucketTitle,
  DEFAULT_TREND_WINDOW,
  TREND_WINDOWS,
  type TrendBucket,
  type TrendWindow,
  trendBuckets,
  trendWindowSchema,
  windowLabel,
} from './trend-window';
export { AGE_BUCKETS, type AgeBucketKey, ageBucketOf } from './age-buckets';
export { isNoValidHost, UNKNOWN_FLAVOR } from './fault-groups-words';

/** The groups take the list's filters but the group itself. */
export const cell0GroupsInput = cell0FiltersSchema.omit({ group: true });

/** The fault groups' trend: their filters, and the window. */
export const cell0TrendInput = cell0GroupsInput.extend({ window: trendWindowSchema });

export const cell0InstanceInput = z.object({ uuid: uuidSchema });

export const deleteBuildRequestInput = z.object({ instanceUuid: uuidSchema });

export type { BuildRequestsList, OrphanMapping, PendingBuildRequest } from './build-requests';
export type { Cell0Instance, Cell0InstanceDetail, Fault } from './cell0-instances';
export type { DeleteCell0Result } from './delete-cell0-instances';
export type { Breakdown, FaultGroup } from './fault-groups';
export type { FaultTrend, FaultTrendGroup, FaultTrendResult } from './fault-trend';
export type { BuildRequestAges } from './build-request-ages';
export type { Cell0Counts } from './cell0-read';
