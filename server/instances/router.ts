import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';
import { instanceUuid } from './instance-uuid';
import { listInstances, listInstancesInput } from './list-instances';
import { lookupInstance } from './lookup-instance';

export const instancesRouter = router({
  list: viewerProcedure.input(listInstancesInput).query(({ ctx, input }) => listInstances(ctx.deps(), input)),
  lookup: viewerProcedure.input(z.object({ uuid: instanceUuid })).query(({ ctx, input }) => lookupInstance(ctx.deps(), input.uuid)),
});
