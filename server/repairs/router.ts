import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { planRepair } from './plan-repair';
import { repairJobsInput, repairPlanInput, repairStartInput } from './repair-kinds';
import { listRepairJobs, startRepair } from './start-repair';

export const repairsRouter = router({
  /** The dry run: it only reads, so any role may look. */
  plan: viewerProcedure.input(repairPlanInput).query(({ ctx, input }) => planRepair(ctx.deps(), input)),
  /** Queue the repair of the confirmed rows: the operator's. */
  start: operatorProcedure
    .input(repairStartInput)
    .mutation(({ ctx, input }) => startRepair(ctx.deps(), input, { source: 'console', principal: ctx.principal, requestId: ctx.requestId })),
  jobs: viewerProcedure.input(repairJobsInput).query(({ ctx, input }) => listRepairJobs(ctx.deps(), input)),
});
