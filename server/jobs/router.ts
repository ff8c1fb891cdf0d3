import { z } from 'zod';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { getJob } from './list-jobs';
import { listMapInstancesJobs, startMapInstances } from './start-map-instances';

/** nova's uuids are 8-4-4-4-12 hex, not always RFC 4122 versions (cell0 is all zeros). */
const cellUuid = z.guid('a cell uuid looks like 8-4-4-4-12 hexadecimal digits');

export const jobsRouter = router({
  /** Queue map_instances for a cell (or get the one already queued or running). */
  startMapInstances: operatorProcedure
    .input(z.object({ cellUuid }))
    .mutation(({ ctx, input }) => startMapInstances(ctx.deps(), { cellUuid: input.cellUuid, actor: ctx.principal.name })),
  get: viewerProcedure
    .input(z.object({ id: z.number().int('a job id is a whole number').positive('a job id is a positive number') }))
    .query(({ ctx, input }) => getJob(ctx.deps(), input.id)),
  /** The cell's latest map_instances jobs, newest first. */
  listForCell: viewerProcedure.input(z.object({ cellUuid })).query(({ ctx, input }) => listMapInstancesJobs(ctx.deps(), input.cellUuid)),
});
