import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { ComputesView } from './computes-view';

export const metadata: Metadata = { title: 'Unmapped computes' };
export const dynamic = 'force-dynamic';

/** Compute hosts no cell mapping knows yet, and discover_hosts to map them. */
export default async function ComputesPage() {
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.hosts.unmapped.queryOptions()), qc.prefetchQuery(trpc.hosts.lastDiscovery.queryOptions())]);
  return (
    <HydrateClient>
      <ComputesView />
    </HydrateClient>
  );
}
