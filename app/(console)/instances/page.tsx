import type { Metadata } from 'next';
import type { SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { InstancesView } from './instances-view';
import { loadInstancesSearchParams, toListInput } from './search-params';

export const metadata: Metadata = { title: 'Instances' };
export const dynamic = 'force-dynamic';

/** Instances across every cell: look one up by uuid, or page through the merged list. */
export default async function InstancesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await loadInstancesSearchParams(searchParams);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.instances.list.queryOptions(toListInput(params))),
    params.lookup ? qc.prefetchQuery(trpc.instances.lookup.queryOptions({ uuid: params.lookup })) : null,
  ]);
  return (
    <HydrateClient>
      <InstancesView />
    </HydrateClient>
  );
}
