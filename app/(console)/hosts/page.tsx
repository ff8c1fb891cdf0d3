import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../_trpc/server';
import { HostsView } from './hosts-view';
import { hostsSearchParams, mappingsInput } from './search-params';

export const metadata: Metadata = { title: 'Host mappings' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(hostsSearchParams);

/** Every host mapping with its cell; filter, page, and delete one with nova's guards. */
export default async function HostsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  const qc = getQueryClient();
  // The mappings and the frame (every cell) from the api database; whether each cell answers is asked now, streamed as it does.
  const [, frame] = await Promise.all([qc.prefetchQuery(trpc.hosts.mappings.queryOptions(mappingsInput(search))), prefetchCellsFrame()]);
  prefetchEachCell(frame, (c) => trpc.hosts.reachability.queryOptions({ cellUuids: [c.uuid] }));
  return (
    <HydrateClient>
      <HostsView />
    </HydrateClient>
  );
}
