import { parseAsInteger, parseAsString } from 'nuqs/server';
import { DEFAULT_HOST_PAGE_SIZE } from '@/server/hosts/contract';

/** The host mappings page's state, all in the URL: filters, keyset marker, page size. */
export const hostsSearchParams = {
  cell: parseAsString,
  host: parseAsString,
  after: parseAsString,
  before: parseAsString,
  size: parseAsInteger.withDefault(DEFAULT_HOST_PAGE_SIZE),
};

export interface HostsSearch {
  cell: string | null;
  host: string | null;
  after: string | null;
  before: string | null;
  size: number;
}

/** The query input for a URL state: the server prefetch and the client must build the same one. */
export function mappingsInput(s: HostsSearch) {
  return { cell: s.cell || null, host: s.host?.trim() || null, after: s.after || null, before: s.before || null, size: s.size };
}
