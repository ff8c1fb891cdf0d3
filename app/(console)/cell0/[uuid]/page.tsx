import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../../_trpc/server';
import { InstanceView } from './instance-view';

export const metadata: Metadata = { title: 'cell0 instance' };
export const dynamic = 'force-dynamic';

/** One cell0 instance: the fault first, then the request, then its actions; delete is the only action. */
export default async function Cell0InstancePage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  await getQueryClient().prefetchQuery(trpc.triage.cell0.get.queryOptions({ uuid }));
  return (
    <HydrateClient>
      <InstanceView uuid={uuid} />
    </HydrateClient>
  );
}
