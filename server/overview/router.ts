import { router, viewerProcedure } from '../trpc';
import { buildRequestAges } from '../triage/build-request-ages';
import { cell0FaultTrend } from '../triage/fault-trend';
import { overviewFailuresInput } from './contract';

export const overviewRouter = router({
  /** cell0's failures in buckets of the window, stacked by normalised fault (asks cell0 alone, under the deadline). */
  failures: viewerProcedure.input(overviewFailuresInput).query(({ ctx, input }) => cell0FaultTrend(ctx.deps(), { window: input.window })),
  /** Pending build requests by age (the api database only). */
  buildRequestAges: viewerProcedure.query(({ ctx }) => buildRequestAges(ctx.deps())),
});
