import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { DEFAULT_TREND_WINDOW, TREND_WINDOWS, type TrendWindow } from '@/server/triage/contract';

/** The cell0 page's state, all in the URL: view, filters, sort, page size, keyset marker, and the fault groups' trend window. */
export const cell0SearchParams = {
  view: parseAsStringLiteral(['list', 'groups'] as const).withDefault('list'),
  fault: parseAsString.withDefault(''),
  flavor: parseAsString.withDefault(''),
  project: parseAsString.withDefault(''),
  group: parseAsString.withDefault(''),
  sort: parseAsStringLiteral(['age', '-age'] as const).withDefault('age'),
  size: parseAsInteger.withDefault(50),
  marker: parseAsString.withDefault(''),
  window: parseAsStringLiteral(TREND_WINDOWS).withDefault(DEFAULT_TREND_WINDOW),
};

export interface Cell0Search {
  view: 'list' | 'groups';
  fault: string;
  flavor: string;
  project: string;
  group: string;
  sort: 'age' | '-age';
  size: number;
  marker: string;
  window: TrendWindow;
}

export const CELL0_PAGE_SIZES = [25, 50, 100, 200] as const;

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
  return { ...cell0Filters(s), group: s.group || undefined, sort: s.sort, limit: size, marker: s.marker || undefined };
}
