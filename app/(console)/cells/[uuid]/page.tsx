import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../../_trpc/server';
import { CellDetailView } from './cell-detail-view';

export const metadata: Metadata = { title: 'Cell' };
export const dynamic = 'force-dynamic';

/** One cell: its mapping, its host mappings, its compute nodes and their capacity, and what can be done to it. */
export default async function CellPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  const id = safeDecode(uuid);
  await getQueryClient().prefetchQuery(trpc.cells.detail.queryOptions({ uuid: id }));
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
