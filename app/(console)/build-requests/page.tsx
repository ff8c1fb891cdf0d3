import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { BuildRequestsView } from './build-requests-view';
import { buildRequestsInput, buildRequestsSearchParams } from './search-params';

export const metadata: Metadata = { title: 'Build requests' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(buildRequestsSearchParams);

/** Boots accepted but not yet placed: their age, the stuck ones, the corrupt ones, and orphaned mappings. */
export default async function BuildRequestsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  await getQueryClient().prefetchQuery(trpc.triage.buildRequests.list.queryOptions(buildRequestsInput(search)));
  return (
    <HydrateClient>
      <BuildRequestsView />
    </HydrateClient>
  );
}
