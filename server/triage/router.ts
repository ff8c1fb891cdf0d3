import { deleteBuildRequest } from '../boot/delete-build-request';
import { router, supportProcedure, viewerProcedure } from '../trpc';
import { listBuildRequests } from './build-requests';
import { listCell0Instances, readCell0Instance } from './cell0-instances';
import {
  buildRequestsListSchema,
  cell0DeleteSchema,
  cell0ExportSchema,
  cell0GroupsInput,
  cell0InstanceInput,
  cell0ListSchema,
  cell0TrendInput,
  deleteBuildRequestInput,
} from './contract';
import { deleteCell0Instances } from './delete-cell0-instances';
import { exportCell0Faults } from './export-faults';
import { listFaultGroups } from './fault-groups';
import { cell0FaultTrend } from './fault-trend';

export const triageRouter = router({
  cell0: router({
    list: viewerProcedure.input(cell0ListSchema).query(({ ctx, input }) => listCell0Instances(ctx.deps(), input)),
    groups: viewerProcedure.input(cell0GroupsInput).query(({ ctx, input }) => listFaultGroups(ctx.deps(), input)),
    trend: viewerProcedure.input(cell0TrendInput).query(({ ctx, input: { window, ...filters } }) => cell0FaultTrend(ctx.deps(), { window, filters })),
    get: viewerProcedure.input(cell0InstanceInput).query(({ ctx, input }) => readCell0Instance(ctx.deps(), input.uuid)),
    // The signed-in name goes on the `delete` instance action, as nova records the caller's user.
    delete: supportProcedure
      .input(cell0DeleteSchema)
      .mutation(({ ctx, input }) => deleteCell0Instances(ctx.deps(), input.uuids, { actor: ctx.principal.name })),
    export: supportProcedure
      .input(cell0ExportSchema)
      .query(({ ctx, input }) => exportCell0Faults(ctx.deps(), { uuids: input.uuids, filters: input.filters, sort: input.sort }, input.format)),
  }),
  buildRequests: router({
    list: viewerProcedure.input(buildRequestsListSchema).query(({ ctx, input }) => listBuildRequests(ctx.deps(), input)),
    // nova's own delete path (§5.4), owned by the boot engine; support may delete as they may in cell0.
    delete: supportProcedure.input(deleteBuildRequestInput).mutation(({ ctx, input }) => deleteBuildRequest(ctx.deps(), input.instanceUuid)),
  }),
});
