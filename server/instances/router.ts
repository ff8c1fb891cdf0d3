import { router, viewerProcedure } from '../trpc';
import { listInstancesInput, lookupInstanceInput } from './contract';
import { listInstances } from './list-instances';
import { lookupInstance } from './lookup-instance';

export const instancesRouter = router({
  list: viewerProcedure.input(listInstancesInput).query(({ ctx, input }) => listInstances(ctx.deps(), input)),
  lookup: viewerProcedure.input(lookupInstanceInput).query(({ ctx, input }) => lookupInstance(ctx.deps(), input.uuid)),
});
