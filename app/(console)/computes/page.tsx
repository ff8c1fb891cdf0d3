import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../_trpc/server';
import { ComputesView } from './computes-view';

export const metadata: Metadata = { title: 'Unmapped computes' };
export const dynamic = 'force-dynamic';

/** Compute hosts no cell mapping knows yet, and discover_hosts to map them; no cell is asked before the first paint. */
export default async function ComputesPage() {
  const qc = getQueryClient();
  // The frame (every cell) and the last discovery from the api database; each cell (but cell0) asked now, streamed as it answers.
  const [frame] = await Promise.all([prefetchCellsFrame(), qc.prefetchQuery(trpc.hosts.lastDiscovery.queryOptions())]);
  prefetchEachCell(
    frame.filter((c) => !c.isCell0),
    (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }),
  );
  return (
    <HydrateClient>
      <ComputesView />
    </HydrateClient>
  );
}
