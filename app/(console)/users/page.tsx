import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { UsersView } from './users-view';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

/** Console users and their roles: operators add, change, reset and remove them. */
export default async function UsersPage() {
  // A refusal (not an operator) is not prefetched; the view says who may use this page.
  await getQueryClient().prefetchQuery(trpc.auth.users.list.queryOptions());
  return (
    <HydrateClient>
      <UsersView />
    </HydrateClient>
  );
}
