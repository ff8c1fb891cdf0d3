import type { Metadata } from 'next';
import { HydrateClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../_trpc/server';
import { CellsView } from './cells-view';

export const metadata: Metadata = { title: 'Cells' };
export const dynamic = 'force-dynamic';

/**
 * Home: every cell mapping, whether it answers, and what it holds. The frame (the
 * mappings, from the api database) is read here; each cell's figures and capacity are
 * asked now too and stream to the page as each cell answers, so no cell delays the first
 * paint and the page completes within one deadline of the document.
 */
export default async function CellsPage() {
  const frame = await prefetchCellsFrame();
  prefetchEachCell(frame, (c) => trpc.cells.list.queryOptions({ cellUuids: [c.uuid] }));
  prefetchEachCell(
    frame.filter((m) => !m.isCell0),
    (c) => trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }),
  );
  return (
    <HydrateClient>
      <CellsView />
    </HydrateClient>
  );
}
