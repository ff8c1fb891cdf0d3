import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, prefetchEachCell, trpc } from '../../_trpc/server';
import { ChecksView } from './checks-view';

export const metadata: Metadata = { title: 'Checks' };
export const dynamic = 'force-dynamic';

/**
 * nova-status's cells checks and the drift between the api database and the cells: what
 * `cellar status` prints. The api side (no cell asked) is read here, and each cell's part
 * is asked now; the browser composes the report as they stream in.
 */
export default async function ChecksPage() {
  const base = await getQueryClient()
    .fetchQuery(trpc.checks.run.queryOptions({ cellUuids: [] }))
    .catch(() => null);
  prefetchEachCell(base?.parts?.context?.cellMappings ?? [], (c) => trpc.checks.run.queryOptions({ cellUuids: [c.uuid] }));
  return (
    <HydrateClient>
      <ChecksView />
    </HydrateClient>
  );
}
