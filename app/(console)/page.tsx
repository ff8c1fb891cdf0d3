import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../_trpc/server';
import { CellsView } from './cells-view';

export const metadata: Metadata = { title: 'Cells' };
export const dynamic = 'force-dynamic';

/** Home: every cell mapping, whether it answers, and what it holds. */
export default async function CellsPage() {
  await getQueryClient().prefetchQuery(trpc.cells.list.queryOptions());
  return (
    <HydrateClient>
      <CellsView />
    </HydrateClient>
  );
}
