import { checkHealth } from '../cells/health';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { deleteHostMappingInput, discoverInput, hostMappingsInput } from './contract';
import { deleteHost } from './delete-host';
import { discoverHosts } from './discover-hosts';
import { latestDiscoveryRuns } from './discovery-runs';
import { listHostMappings } from './list-host-mappings';
import { listUnmappedComputes } from './unmapped-computes';

export const hostsRouter = router({
  /** The host mappings page: one keyset page, filtered by cell and host text. */
  mappings: viewerProcedure
    .input(hostMappingsInput)
    .query(({ ctx, input }) =>
      listHostMappings(ctx.deps(), { cellUuid: input.cell, hostContains: input.host, after: input.after, before: input.before, limit: input.size }),
    ),
  /** Which cells answer: deleting a mapping needs its cell's database. */
  reachability: viewerProcedure.query(({ ctx }) => checkHealth(ctx.deps())),
  deleteMapping: operatorProcedure.input(deleteHostMappingInput).mutation(({ ctx, input }) => deleteHost(ctx.deps(), input)),
  unmapped: viewerProcedure.query(({ ctx }) => listUnmappedComputes(ctx.deps())),
  discover: operatorProcedure
    .input(discoverInput)
    // Who, until sign-in exists (issue 5): the console itself.
    .mutation(({ ctx, input }) => discoverHosts(ctx.deps(), { ...input, actor: ctx.principal.name })),
  lastDiscovery: viewerProcedure.query(({ ctx }) => latestDiscoveryRuns(ctx.deps())),
});
