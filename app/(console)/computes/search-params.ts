import { parseAsString } from 'nuqs/server';

/** The unmapped computes page's filters in the URL: one cell (the page then asks only it) and host text. */
export const computesSearchParams = {
  cell: parseAsString,
  host: parseAsString,
};

/** The cells the page asks: all but cell0, or only the one chosen (a uuid the frame does not hold: none). */
export function cellsAsked<C extends { uuid: string; isCell0: boolean }>(frame: readonly C[], cell: string | null): C[] {
  const cells = frame.filter((c) => !c.isCell0);
  return cell ? cells.filter((c) => c.uuid === cell) : cells;
}
