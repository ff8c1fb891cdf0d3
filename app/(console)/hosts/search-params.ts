import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { DEFAULT_HOST_PAGE_SIZE, HOST_PAGE_SIZES, HOST_SORT_DIRS, HOST_SORT_KEYS, type HostSortKey } from '@/server/hosts/contract';

/**
 * The host mappings page's state, all in the URL: filters, the order (the table's own
 * `sort` and `dir`, which the server sorts by), the keyset marker and the page size.
 */
export const hostsSearchParams = {
  cell: parseAsString,
  host: parseAsString,
  sort: parseAsStringLiteral(HOST_SORT_KEYS),
  dir: parseAsStringLiteral(HOST_SORT_DIRS),
  after: parseAsString,
  before: parseAsString,
  size: parseAsInteger.withDefault(DEFAULT_HOST_PAGE_SIZE),
};

export interface HostsSearch {
  cell: string | null;
  host: string | null;
  sort: HostSortKey | null;
  dir: 'asc' | 'desc' | null;
  after: string | null;
  before: string | null;
  size: number;
}

/** nova's list_hosts order when the URL names none. */
export const DEFAULT_HOST_SORT = { id: 'host', dir: 'asc' } as const;

/**
 * The query input for a URL state: the server prefetch and the client must build the same
 * one. A sort named without a direction is ascending, as the table shows it; a page size
 * not offered falls back to the default rather than failing the page.
 */
export function mappingsInput(s: HostsSearch) {
  return {
    cell: s.cell || null,
    host: s.host?.trim() || null,
    sort: s.sort ?? DEFAULT_HOST_SORT.id,
    dir: s.dir ?? (s.sort ? 'asc' : DEFAULT_HOST_SORT.dir),
    after: s.after || null,
    before: s.before || null,
    size: (HOST_PAGE_SIZES as readonly number[]).includes(s.size) ? s.size : DEFAULT_HOST_PAGE_SIZE,
  };
}
