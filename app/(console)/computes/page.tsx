import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../_trpc/server';
import { ComputesView } from './computes-view';
import { cellsAsked, computesSearchParams } from './search-params';

export const metadata: Metadata = { title: 'Unmapped computes' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(computesSearchParams);

/** Compute hosts no cell mapping knows yet, and discover_hosts to map them; no cell is asked before the first paint. */
export default async function ComputesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  const qc = getQueryClient();
  // The frame (every cell) and the last discovery from the api database; each cell asked (all but cell0, or the one chosen) now, streamed as it answers.
  const [frame] = await Promise.all([prefetchCellsFrame(), qc.prefetchQuery(trpc.hosts.lastDiscovery.queryOptions())]);
  prefetchEachCell(cellsAsked(frame, search.cell), (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }));
  return (
    <HydrateClient>
      <ComputesView />
    </HydrateClient>
  );
}
