import type { Metadata } from 'next';
import { InstanceView } from './instance-view';

export const metadata: Metadata = { title: 'cell0 instance' };
export const dynamic = 'force-dynamic';

/**
 * One cell0 instance: the fault first, then the request, then its actions; delete is the
 * only action. cell0 is asked from the browser, so the page paints without waiting for it.
 */
export default async function Cell0InstancePage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  return <InstanceView uuid={uuid} />;
}
