import type { Metadata } from 'next';
import { FRAME_INPUT } from '../../_components/frame-input';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { InstancesView } from './instances-view';

export const metadata: Metadata = { title: 'Instances' };
export const dynamic = 'force-dynamic';

/**
 * Instances across every cell: look one up by uuid, or page through the merged list. Only
 * the frame (the cell mappings, api database) is read here; the browser asks each cell on
 * its own and merges their pages as they answer, so no cell delays the first paint.
 */
export default async function InstancesPage() {
  await getQueryClient().prefetchQuery(trpc.cells.list.queryOptions(FRAME_INPUT));
  return (
    <HydrateClient>
      <InstancesView />
    </HydrateClient>
  );
}
