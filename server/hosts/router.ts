import { z } from 'zod';
import { checkHealth } from '../cells/health';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { deleteHost } from './delete-host';
import { discoverHosts } from './discover-hosts';
import { latestDiscoveryRuns } from './discovery-runs';
import { DEFAULT_HOST_PAGE_SIZE, HOST_PAGE_SIZES } from './host-page-sizes';
import { listHostMappings } from './list-host-mappings';
import { listUnmappedComputes } from './unmapped-computes';

/** nova's uuids are 8-4-4-4-12 hex, not always RFC 4122 versions (cell0 is all zeros). */
const cellUuid = z.guid('a cell uuid looks like 8-4-4-4-12 hexadecimal digits');
const hostName = z.string().trim().min(1, 'a host name is required').max(255, 'host names are at most 255 characters');

export const hostMappingsInput = z.object({
  cell: cellUuid.nullish(),
  host: z.string().trim().max(255).nullish(),
  after: z.string().max(255).nullish(),
  before: z.string().max(255).nullish(),
  size: z
    .number()
    .int()
    .refine((n) => (HOST_PAGE_SIZES as readonly number[]).includes(n), `page size is one of ${HOST_PAGE_SIZES.join(', ')}`)
    .default(DEFAULT_HOST_PAGE_SIZE),
});

export const discoverInput = z.object({
  cellUuid: cellUuid.nullish(),
  byService: z.boolean().default(false),
  strict: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export const hostsRouter = router({
  /** The host mappings page: one keyset page, filtered by cell and host text. */
  mappings: viewerProcedure
    .input(hostMappingsInput)
    .query(({ ctx, input }) =>
      listHostMappings(ctx.deps(), { cellUuid: input.cell, hostContains: input.host, after: input.after, before: input.before, limit: input.size }),
    ),
  /** Which cells answer: deleting a mapping needs its cell's database. */
  reachability: viewerProcedure.query(({ ctx }) => checkHealth(ctx.deps())),
  deleteMapping: operatorProcedure
    .input(z.object({ cellUuid, host: hostName }))
    .mutation(({ ctx, input }) => deleteHost(ctx.deps(), input)),
  unmapped: viewerProcedure.query(({ ctx }) => listUnmappedComputes(ctx.deps())),
  discover: operatorProcedure
    .input(discoverInput)
    // Who, until sign-in exists (issue 5): the console itself.
    .mutation(({ ctx, input }) => discoverHosts(ctx.deps(), { ...input, actor: ctx.principal.name })),
  lastDiscovery: viewerProcedure.query(({ ctx }) => latestDiscoveryRuns(ctx.deps())),
});
