import type { Metadata } from 'next';
import { HydrateClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../../_trpc/server';
import { CellDetailView } from './cell-detail-view';

export const metadata: Metadata = { title: 'Cell' };
export const dynamic = 'force-dynamic';

/**
 * One cell: its mapping, its host mappings, its compute nodes and their capacity, and what
 * can be done to it. Only the frame (the mappings, api database) is read here: the cell
 * itself is asked from the browser, so a cell that does not answer never holds up the page.
 */
export default async function CellPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  const id = safeDecode(uuid);
  const frame = await prefetchCellsFrame();
  // Its capacity, asked now and streamed as it comes (the detail is asked by the page).
  const mapping = frame.find((m) => m.uuid === id);
  if (mapping && !mapping.isCell0) prefetchEachCell([mapping], (c) => trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }));
  return (
    <HydrateClient>
      <CellDetailView uuid={id} />
    </HydrateClient>
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
