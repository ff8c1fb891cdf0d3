import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { jobIdInput, jobsForCellInput, startMapInstancesInput } from './contract';
import { getJob } from './list-jobs';
import { listMapInstancesJobs, startMapInstances } from './start-map-instances';

export const jobsRouter = router({
  /** Queue map_instances for a cell (or get the one already queued or running). */
  startMapInstances: operatorProcedure
    .input(startMapInstancesInput)
    .mutation(({ ctx, input }) => startMapInstances(ctx.deps(), { cellUuid: input.cellUuid, actor: ctx.principal.name })),
  get: viewerProcedure.input(jobIdInput).query(({ ctx, input }) => getJob(ctx.deps(), input.id)),
  /** The cell's latest map_instances jobs, newest first. */
  listForCell: viewerProcedure.input(jobsForCellInput).query(({ ctx, input }) => listMapInstancesJobs(ctx.deps(), input.cellUuid)),
});
