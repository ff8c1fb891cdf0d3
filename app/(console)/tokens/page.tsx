import type { Metadata } from 'next';
import { HydrateClient, getQueryClient, trpc } from '../../_trpc/server';
import { TokensView } from './tokens-view';

export const metadata: Metadata = { title: 'Tokens' };
export const dynamic = 'force-dynamic';

/** Automation tokens for scripts and test suites: create (the secret is shown once), list, revoke. */
export default async function TokensPage() {
  await getQueryClient().prefetchQuery(trpc.auth.tokens.list.queryOptions());
  return (
    <HydrateClient>
      <TokensView />
    </HydrateClient>
  );
}
