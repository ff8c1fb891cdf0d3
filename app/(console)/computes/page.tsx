import type { Metadata } from 'next';
import { FRAME_INPUT } from '../../_components/frame-input';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { ComputesView } from './computes-view';

export const metadata: Metadata = { title: 'Unmapped computes' };
export const dynamic = 'force-dynamic';

/** Compute hosts no cell mapping knows yet, and discover_hosts to map them; no cell is asked before the first paint. */
export default async function ComputesPage() {
  const qc = getQueryClient();
  // The api database only: the frame (every cell) and the last discovery; the browser asks each cell.
  await Promise.all([qc.prefetchQuery(trpc.cells.list.queryOptions(FRAME_INPUT)), qc.prefetchQuery(trpc.hosts.lastDiscovery.queryOptions())]);
  return (
    <HydrateClient>
      <ComputesView />
    </HydrateClient>
  );
}
