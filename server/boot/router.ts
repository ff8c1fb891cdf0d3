import { z } from 'zod';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { acceptBoot, acceptBootInput } from './accept-boot';
import { cellCapacity } from './capacity';
import { scheduleAndBuild } from './schedule-and-build';

export const scheduleInput = z.object({
  instanceUuids: z.array(z.guid('Each instance uuid must be a uuid')).min(1, 'Name at least one instance uuid').max(1000, 'At most 1000 instances at once'),
});

export const bootRouter = router({
  capacity: viewerProcedure.query(({ ctx }) => cellCapacity(ctx.deps())),
  accept: operatorProcedure.input(acceptBootInput).mutation(({ ctx, input }) => acceptBoot(ctx.deps(), input)),
  schedule: operatorProcedure.input(scheduleInput).mutation(({ ctx, input }) => scheduleAndBuild(ctx.deps(), input.instanceUuids)),
});
