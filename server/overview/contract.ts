/**
 * The overview for pages (browser-safe): what its procedures take and answer. The
 * overview draws what other areas compute — capacity and flavor slots (boot), unmapped
 * computes (hosts), the checks — from their own per-cell procedures; what is its own is
 * cell0's failures over a window and the pending build requests by age.
 */
import { z } from 'zod';
import { trendWindowSchema } from '../triage/contract';

/** cell0's failures of the whole of cell0, over the window (24h, 7d or 30d). */
export const overviewFailuresInput = z.object({ window: trendWindowSchema });

export {
  AGE_BUCKETS,
  type AgeBucketKey,
  bucketLabel,
  bucketTitle,
  DEFAULT_TREND_WINDOW,
  isNoValidHost,
  TREND_WINDOWS,
  type TrendBucket,
  type TrendWindow,
  windowLabel,
} from '../triage/contract';
export type { BuildRequestAges, Cell0Counts, FaultTrend, FaultTrendGroup, FaultTrendResult } from '../triage/contract';
