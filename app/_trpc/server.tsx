import 'server-only';
import { dehydrate, type FetchQueryOptions, HydrationBoundary } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache } from 'react';
import { FRAME_INPUT } from '../_components/frame-input';
import type { Resolution } from '@/server/auth/contract';
import type { CellMappingRow } from '@/server/cells/contract';
import { appRouter, createCaller } from '@/server/root';
import { serverRenderContext } from '@/server/trpc';
import { makeQueryClient } from './query-client';

export const getQueryClient = cache(makeQueryClient);

/** This request's tRPC context: one per server render (React cache), so the session is looked up once. */
const requestContext = serverRenderContext(headers);

/** Prefetches for server components: `getQueryClient().prefetchQuery(trpc.cells.list.queryOptions())`. */
export const trpc = createTRPCOptionsProxy({
  ctx: requestContext,
  router: appRouter,
  queryClient: getQueryClient,
});

/** The server caller, for a server component that needs a procedure's answer itself rather than a prefetch. */
export const caller = createCaller(requestContext);

/** Who this request is (the console layout, the sign-in page): the same resolution the procedures use. */
export async function requestPrincipal(): Promise<Resolution> {
  const ctx = await requestContext();
  // createContext always sets it; a context without one is in-process, i.e. no request.
  return ctx.resolvePrincipal ? ctx.resolvePrincipal() : { none: true };
}

/**
 * The frame of a page that reads every cell (every cell mapping, from the api database
 * only), prefetched for the client; none when it could not be read (the page says why,
 * as the client asks for it again).
 */
export async function prefetchCellsFrame(): Promise<CellMappingRow[]> {
  const list = await getQueryClient()
    .fetchQuery(trpc.cells.list.queryOptions(FRAME_INPUT))
    .catch(() => null);
  return list?.frame ?? [];
}

/**
 * Starts each cell's query of a page in the server render without waiting for it: the
 * pending queries are dehydrated with their promises (query-client.ts), so each cell's
 * answer streams to the browser as that cell gives it, and the client's per-cell queries
 * (usePerCell, the same keys) pick them up instead of asking again. The cells are asked
 * when the document is, not after the page has loaded and hydrated; a slow cell holds up
 * only its own part, and nothing of the document waits for it.
 */
export function prefetchEachCell<C>(
  cells: readonly C[],
  // biome-ignore lint/suspicious/noExplicitAny: the tRPC options' error and key types vary per procedure.
  options: (cell: C) => FetchQueryOptions<any, any, any, any>,
): void {
  const queryClient = getQueryClient();
  for (const c of cells) void queryClient.prefetchQuery(options(c));
}

/** Server components prefetch; client components pick the data up without a second round trip. */
export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
