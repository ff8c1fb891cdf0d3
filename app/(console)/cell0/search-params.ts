import { parseAsBoolean, parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { CELL0_PAGE_SIZES, DEFAULT_TREND_WINDOW, TREND_WINDOWS, type TrendWindow } from '@/server/triage/contract';

/**
 * The cell0 page's state, all in the URL: view, filters, the order (the table's own `sort`
 * and `dir`: by Age, which cell0 sorts on), page size, keyset marker (and `back` for the
 * page before it), and the fault groups' trend window.
 */
export const cell0SearchParams = {
  view: parseAsStringLiteral(['list', 'groups'] as const).withDefault('list'),
  fault: parseAsString.withDefault(''),
  flavor: parseAsString.withDefault(''),
  project: parseAsString.withDefault(''),
  group: parseAsString.withDefault(''),
  // '-age' is how links made before the sortable header named oldest first.
  sort: parseAsStringLiteral(['age', '-age'] as const),
  dir: parseAsStringLiteral(['asc', 'desc'] as const),
  size: parseAsInteger.withDefault(50),
  marker: parseAsString.withDefault(''),
  back: parseAsBoolean.withDefault(false),
  window: parseAsStringLiteral(TREND_WINDOWS).withDefault(DEFAULT_TREND_WINDOW),
};

export interface Cell0Search {
  view: 'list' | 'groups';
  fault: string;
  flavor: string;
  project: string;
  group: string;
  sort: 'age' | '-age' | null;
  dir: 'asc' | 'desc' | null;
  size: number;
  marker: string;
  back: boolean;
  window: TrendWindow;
}

export { CELL0_PAGE_SIZES };

/** Youngest first when the URL names no order: what support looks at first is what just failed. */
export const DEFAULT_CELL0_SORT = { id: 'age', dir: 'asc' } as const;

/** cell0's order for a URL state: by age ascending is newest first ('age'), descending oldest first ('-age'). */
export function cell0Sort(s: Pick<Cell0Search, 'sort' | 'dir'>): 'age' | '-age' {
  return s.sort === '-age' || (s.sort === 'age' && s.dir === 'desc') ? '-age' : 'age';
}

/** The filters as the procedures take them: blank is no filter. */
export function cell0Filters(s: Cell0Search) {
  return {
    fault: s.fault.trim() || undefined,
    flavor: s.flavor.trim() || undefined,
    project: s.project.trim() || undefined,
  };
}

/** The list query's input for a URL state: the server prefetch and the client build the same one. */
export function cell0ListInput(s: Cell0Search) {
  const size = (CELL0_PAGE_SIZES as readonly number[]).includes(s.size) ? s.size : 50;
  return {
    ...cell0Filters(s),
    group: s.group || undefined,
    sort: cell0Sort(s),
    limit: size,
    marker: s.marker || undefined,
    back: Boolean(s.marker) && s.back,
  };
}
