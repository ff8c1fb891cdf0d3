import type { Metadata } from 'next';
import { createLoader, type SearchParams } from 'nuqs/server';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { AuditView } from './audit-view';
import { auditInput, auditSearchParams } from './search-params';

export const metadata: Metadata = { title: 'Audit' };
export const dynamic = 'force-dynamic';

const loadSearch = createLoader(auditSearchParams);

/** Every write and refused write, console and CLI: who, what, on what, and how it ended. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const search = await loadSearch(searchParams);
  await getQueryClient().prefetchQuery(trpc.auth.audit.list.queryOptions(auditInput(search)));
  return (
    <HydrateClient>
      <AuditView />
    </HydrateClient>
  );
}
