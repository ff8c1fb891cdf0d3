import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { FRAME_INPUT } from '../../_components/frame-input';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { HostsView } from './hosts-view';
import { hostsSearchParams, mappingsInput } from './search-params';

export const metadata: Metadata = { title: 'Host mappings' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(hostsSearchParams);

/** Every host mapping with its cell; filter, page, and delete one with nova's guards. */
export default async function HostsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  const qc = getQueryClient();
  // The api database only: the mappings, and the frame (every cell); the browser asks each cell whether it answers.
  await Promise.all([qc.prefetchQuery(trpc.hosts.mappings.queryOptions(mappingsInput(search))), qc.prefetchQuery(trpc.cells.list.queryOptions(FRAME_INPUT))]);
  return (
    <HydrateClient>
      <HostsView />
    </HydrateClient>
  );
}
