import type { Metadata } from 'next';
import { FRAME_INPUT } from '../_components/frame-input';
import { HydrateClient, getQueryClient, trpc } from '../_trpc/server';
import { CellsView } from './cells-view';

export const metadata: Metadata = { title: 'Cells' };
export const dynamic = 'force-dynamic';

/**
 * Home: every cell mapping, whether it answers, and what it holds. Only the frame (the
 * mappings, from the api database) is read here; the page asks each cell from the browser
 * and shows each as it answers, so no cell delays the first paint.
 */
export default async function CellsPage() {
  await getQueryClient().prefetchQuery(trpc.cells.list.queryOptions(FRAME_INPUT));
  return (
    <HydrateClient>
      <CellsView />
    </HydrateClient>
  );
}
