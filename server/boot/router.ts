import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { acceptBoot } from './accept-boot';
import { cellCapacity } from './capacity';
import { acceptBootInput, capacityInput, scheduleInput } from './contract';
import { scheduleAndBuild } from './schedule-and-build';

export const bootRouter = router({
  capacity: viewerProcedure.input(capacityInput).query(({ ctx, input }) => cellCapacity(ctx.deps(), { cellUuids: input?.cellUuids })),
  accept: operatorProcedure.input(acceptBootInput).mutation(({ ctx, input }) => acceptBoot(ctx.deps(), input)),
  schedule: operatorProcedure.input(scheduleInput).mutation(({ ctx, input }) => scheduleAndBuild(ctx.deps(), input.instanceUuids)),
});
