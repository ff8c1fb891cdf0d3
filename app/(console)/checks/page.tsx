import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { ChecksView } from './checks-view';

export const metadata: Metadata = { title: 'Checks' };
export const dynamic = 'force-dynamic';

/**
 * nova-status's cells checks and the drift between the api database and the cells: what
 * `cellar status` prints. Only the api side (no cell asked) is read here; the browser asks
 * each cell on its own and composes the report as they answer.
 */
export default async function ChecksPage() {
  await getQueryClient().prefetchQuery(trpc.checks.run.queryOptions({ cellUuids: [] }));
  return (
    <HydrateClient>
      <ChecksView />
    </HydrateClient>
  );
}
