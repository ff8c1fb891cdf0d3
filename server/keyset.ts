/**
 * Keyset page markers of the lists sorted on the server (host mappings, the audit log):
 * a marker holds the sort it was made under and the sort values of the row it names, so
 * the next page starts right after that row even when rows are added or removed meanwhile,
 * and a marker made under one order is refused under another instead of skipping rows.
 *
 * Opaque to the browser (base64url of a small JSON array); the values are the database's
 * text forms (a timestamp keeps its microseconds), compared in SQL with the same casts.
 */
import { refuse } from './errors';

export type SortDir = 'asc' | 'desc';

export interface MarkerOrder {
  key: string;
  dir: SortDir;
}

/** The longest marker a list accepts (two values of 255 characters, quoted, in base64). */
export const MARKER_MAX = 2000;

export function encodeMarker(order: MarkerOrder, values: readonly string[]): string {
  return Buffer.from(JSON.stringify([order.key, order.dir, ...values]), 'utf8').toString('base64url');
}

const NOT_OURS = 'This page marker is not one this list made: open the first page again.';

/**
 * The values of a marker made under `order`, `count` of them. `wordsFor` names an order in
 * words for the refusal ("host, A to Z"), or null for a key the list does not sort by.
 */
export function decodeMarker(text: string, order: MarkerOrder, count: number, wordsFor: (o: MarkerOrder) => string | null): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refuse.invalid(NOT_OURS);
  }
  if (!Array.isArray(parsed) || parsed.length < 2 || !parsed.every((v) => typeof v === 'string')) throw refuse.invalid(NOT_OURS);
  const [key, dir, ...values] = parsed as string[];
  if (dir !== 'asc' && dir !== 'desc') throw refuse.invalid(NOT_OURS);
  if (key !== order.key || dir !== order.dir) {
    const made = wordsFor({ key: key!, dir });
    if (made === null) throw refuse.invalid(NOT_OURS);
    throw refuse.invalid(`This page marker was made for the list sorted by ${made}, not by ${wordsFor(order)}: open the first page again.`);
  }
  if (values.length !== count) throw refuse.invalid(NOT_OURS);
  return values;
}

/**
 * Whether a marker's value is a timestamp as PostgreSQL writes one (`timestamp::text`), a
 * real calendar date, so a forged marker is refused here and never reaches a cast.
 */
export function isTimestampText(v: string, opts: { infinity?: boolean } = {}): boolean {
  if (opts.infinity && (v === 'infinity' || v === '-infinity')) return true;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$/.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

/** A marker's values failed their check: the same words as any marker the list did not make. */
export const markerNotOurs = () => refuse.invalid(NOT_OURS);
