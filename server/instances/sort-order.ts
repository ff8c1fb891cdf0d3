/**
 * The global order of the cross-cell instance list: one sort key, then `uuid` ascending
 * as the final tie-breaker (ids collide across cells; nova appends uuid the same way).
 *
 * The merge compares rows in JavaScript that each cell sorted in SQL, so both must agree
 * exactly. Hence sort values travel as text that orders the same way in both places:
 * timestamps as fixed-width 'YYYY-MM-DDTHH24:MI:SS.US' (microseconds: a JS Date would
 * lose them and split ties differently from the database), names compared by code point
 * (PostgreSQL's "C" collation). NULL sorts below every value: last when descending, first
 * when ascending, as the (created_at DESC NULLS LAST, uuid) index reads in either direction.
 */
export const SORT_KEYS = ['created_at', 'updated_at', 'display_name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORT_DIRS = ['desc', 'asc'] as const;
export type SortDir = (typeof SORT_DIRS)[number];

export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

/** Where a row sits in the order: its sort value and its uuid. Keyset markers are positions. */
export interface Position {
  sortValue: string | null;
  uuid: string;
}

/** Byte order of UTF-8, i.e. code point order, which is what collate "C" compares. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate half stands for a code point above U+FFFF, above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** nova stores uuids in one case; for those every collation agrees with plain string order. */
function compareUuids(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePositions(dir: SortDir, a: Position, b: Position): number {
  let c: number;
  if (a.sortValue === b.sortValue) c = 0;
  else if (a.sortValue === null) c = -1;
  else if (b.sortValue === null) c = 1;
  else c = compareCodePoints(a.sortValue, b.sortValue);
  if (c !== 0) return dir === 'desc' ? -c : c;
  return compareUuids(a.uuid, b.uuid);
}
