import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, prefetchCellsFrame, prefetchEachCell, trpc } from '../../_trpc/server';
import { OverviewView } from './overview-view';
import { overviewSearchParams } from './search-params';

export const metadata: Metadata = { title: 'Overview' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(overviewSearchParams);

/**
 * The first page after sign-in: every cell's capacity and flavor slots, cell0's failures
 * over time, the pending build requests by age, unmapped computes, the checks and the
 * cells that do not answer. Only the frame (the cell mappings, api database) is waited
 * for; every cell's parts and the other answers are asked now and stream to the page as
 * they come, so no cell delays the first paint (app/(console)/page.tsx is the model).
 */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const [search, frame] = await Promise.all([loadSearch(searchParams), prefetchCellsFrame()]);
  const qc = getQueryClient();
  const computeCells = frame.filter((c) => !c.isCell0);
  prefetchEachCell(computeCells, (c) => trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }));
  prefetchEachCell(computeCells, (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }));
  // The checks' api side (asks no cell), then each cell's facts, as the checks page asks them.
  prefetchEachCell([{ cellUuids: [] as string[] }, ...frame.map((c) => ({ cellUuids: [c.uuid] }))], (input) => trpc.checks.run.queryOptions(input));
  void qc.prefetchQuery(trpc.overview.failures.queryOptions({ window: search.window }));
  void qc.prefetchQuery(trpc.overview.buildRequestAges.queryOptions());
  return (
    <HydrateClient>
      <OverviewView />
    </HydrateClient>
  );
}
