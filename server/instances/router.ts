import { router, viewerProcedure } from '../trpc';
import { findByNameInput, listInstancesInput, lookupInstanceInput } from './contract';
import { findInstancesByName } from './find-by-name';
import { listInstances } from './list-instances';
import { lookupInstance } from './lookup-instance';

export const instancesRouter = router({
  list: viewerProcedure.input(listInstancesInput).query(({ ctx, input }) => listInstances(ctx.deps(), input)),
  lookup: viewerProcedure.input(lookupInstanceInput).query(({ ctx, input }) => lookupInstance(ctx.deps(), input.uuid)),
  findByName: viewerProcedure.input(findByNameInput).query(({ ctx, input }) => findInstancesByName(ctx.deps(), input)),
});
