import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { Cell0View } from './cell0-view';
import { cell0Filters, cell0ListInput, cell0SearchParams } from './search-params';

export const metadata: Metadata = { title: 'cell0' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(cell0SearchParams);

/** cell0, the graveyard of boots that found no home: their faults, grouped or one by one; delete is the only action. */
export default async function Cell0Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  const qc = getQueryClient();
  await (search.view === 'groups'
    ? qc.prefetchQuery(trpc.triage.cell0.groups.queryOptions(cell0Filters(search)))
    : qc.prefetchQuery(trpc.triage.cell0.list.queryOptions(cell0ListInput(search))));
  return (
    <HydrateClient>
      <Cell0View />
    </HydrateClient>
  );
}
