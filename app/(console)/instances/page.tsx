import type { Metadata } from 'next';
import type { SearchParams } from 'nuqs/server';
import { mergedPageTrimmer } from '@/server/instances/contract';
import { HydrateClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../_trpc/server';
import { InstancesView } from './instances-view';
import { loadInstancesSearchParams, lookupKind, mergeSpec, resolveCell, toListInput } from './search-params';

export const metadata: Metadata = { title: 'Instances' };
export const dynamic = 'force-dynamic';

/**
 * Instances across every cell: look one up by uuid or name, or page through the merged list. The
 * frame (the cell mappings, api database) is read here, and each cell's page of the URL's
 * list is asked now; the browser merges the pages as they stream in, so no cell delays
 * the first paint.
 */
export default async function InstancesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await loadInstancesSearchParams(searchParams);
  const input = toListInput(params);
  const frame = await prefetchCellsFrame();
  // The browser merges the cells' pages into one page of `limit` rows (mergeParts): of
  // each page only what can still be on it is sent.
  const trim = mergedPageTrimmer(mergeSpec(input));
  prefetchEachCell(resolveCell(frame, params.cell).cells, (c) => {
    const options = trpc.instances.list.queryOptions({ ...input, cellUuids: [c.uuid] });
    return { ...options, queryFn: async (ctx) => trim(await options.queryFn!(ctx)) };
  });
  const lookup = params.lookup ? lookupKind(params.lookup) : null;
  if (lookup && 'name' in lookup && lookup.name) {
    prefetchEachCell(frame, (c) => trpc.instances.findByName.queryOptions({ name: lookup.name, cellUuids: [c.uuid] }));
  }
  return (
    <HydrateClient>
      <InstancesView />
    </HydrateClient>
  );
}
