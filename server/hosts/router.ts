import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { cellsInput, deleteHostMappingInput, discoverInput, discoveryPausedInput, hostMappingsInput } from './contract';
import { deleteHost } from './delete-host';
import { discoverHosts } from './discover-hosts';
import { latestDiscoveryRuns } from './discovery-runs';
import { readDiscoverySchedule, setDiscoveryPaused } from './discovery-schedule';
import { listHostMappings } from './list-host-mappings';
import { cellReachability } from './reachability';
import { listUnmappedComputes } from './unmapped-computes';

export const hostsRouter = router({
  /** The host mappings page: one keyset page in the order asked, filtered by cell and host text. */
  mappings: viewerProcedure.input(hostMappingsInput).query(({ ctx, input }) =>
    listHostMappings(ctx.deps(), {
      cellUuid: input.cell,
      hostContains: input.host,
      sort: { key: input.sort, dir: input.dir },
      after: input.after,
      before: input.before,
      limit: input.size,
    }),
  ),
  /** Which cells answer: deleting a mapping needs its cell's database. */
  reachability: viewerProcedure.input(cellsInput).query(({ ctx, input }) => cellReachability(ctx.deps(), { cellUuids: input?.cellUuids })),
  deleteMapping: operatorProcedure.input(deleteHostMappingInput).mutation(({ ctx, input }) => deleteHost(ctx.deps(), input)),
  unmapped: viewerProcedure.input(cellsInput).query(({ ctx, input }) => listUnmappedComputes(ctx.deps(), { cellUuids: input?.cellUuids })),
  discover: operatorProcedure
    .input(discoverInput)
    // Who, until sign-in exists (issue 5): the console itself.
    .mutation(({ ctx, input }) => discoverHosts(ctx.deps(), { ...input, actor: ctx.principal.name })),
  lastDiscovery: viewerProcedure.query(({ ctx }) => latestDiscoveryRuns(ctx.deps())),
  /** Periodic discovery: its interval, leader, pause and last runs, as every replica sees them. */
  discoverySchedule: viewerProcedure.query(({ ctx }) => readDiscoverySchedule(ctx.deps())),
  setDiscoveryPaused: operatorProcedure
    .input(discoveryPausedInput)
    .mutation(({ ctx, input }) => setDiscoveryPaused(ctx.deps(), { paused: input.paused, actor: ctx.principal.name })),
});
