import { parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { DEFAULT_TREND_WINDOW, TREND_WINDOWS } from '@/server/overview/contract';

/**
 * The overview's state in the URL: the window of cell0's failures, and the flavor whose
 * room in each cell is asked for (the link from a "No valid host" fault group).
 */
export const overviewSearchParams = {
  window: parseAsStringLiteral(TREND_WINDOWS).withDefault(DEFAULT_TREND_WINDOW),
  flavor: parseAsString.withDefault(''),
};

/** The overview anchored at a flavor's room in every cell: where a "No valid host" group leads. */
export function flavorCapacityHref(flavor: string): string {
  return `/overview?${new URLSearchParams({ flavor })}#flavor-room`;
}
