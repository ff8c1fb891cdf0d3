import 'server-only';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache } from 'react';
import type { Resolution } from '@/server/auth/contract';
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

/** Server components prefetch; client components pick the data up without a second round trip. */
export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
