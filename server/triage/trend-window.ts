/**
 * The windows a failure trend is read over, and their buckets (browser-safe: pages draw
 * the same buckets the server counted). Buckets are whole UTC hours or days, the current
 * one included, so a bar reads as "14:00–15:00" or "3 March" rather than a rolling slice
 * that shifts every minute; the window is the current bucket and the ones before it:
 *
 *   24h  this hour and the 23 before it, by hour
 *   7d   today and the 6 days before it, by day
 *   30d  today and the 29 days before it, by day
 *
 * A failure belongs to the bucket whose [start, end) holds its time; the window ends at
 * the end of the current bucket, so a fault stamped a moment ahead of Cellar's clock (a
 * database on another host) still counts in the current bucket.
 */
import { z } from 'zod';

export const TREND_WINDOWS = ['24h', '7d', '30d'] as const;
export type TrendWindow = (typeof TREND_WINDOWS)[number];
export const DEFAULT_TREND_WINDOW: TrendWindow = '7d';

export const trendWindowSchema = z.enum(TREND_WINDOWS, { message: 'the window is 24h, 7d or 30d' }).default(DEFAULT_TREND_WINDOW);

export type TrendBucket = 'hour' | 'day';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const SPEC: Record<TrendWindow, { bucket: TrendBucket; count: number; label: string }> = {
  '24h': { bucket: 'hour', count: 24, label: 'last 24 hours' },
  '7d': { bucket: 'day', count: 7, label: 'last 7 days' },
  '30d': { bucket: 'day', count: 30, label: 'last 30 days' },
};

/** "last 7 days": the window in words, for headings and accessible names. */
export function windowLabel(window: TrendWindow): string {
  return SPEC[window].label;
}

export interface TrendBuckets {
  window: TrendWindow;
  bucket: TrendBucket;
  bucketMs: number;
  /** The first bucket's start: the window's start, included. */
  start: Date;
  /** The current bucket's end: the window's end, excluded. */
  end: Date;
  /** Each bucket's start, oldest first. */
  starts: Date[];
}

/** The buckets of `window` at `now`, aligned to UTC hours or days. */
export function trendBuckets(window: TrendWindow, now: Date): TrendBuckets {
  const { bucket, count } = SPEC[window];
  const bucketMs = bucket === 'hour' ? HOUR_MS : DAY_MS;
  // Epoch milliseconds are UTC and days have no leap seconds there: flooring aligns to UTC.
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const first = current - (count - 1) * bucketMs;
  const starts = Array.from({ length: count }, (_, i) => new Date(first + i * bucketMs));
  return { window, bucket, bucketMs, start: new Date(first), end: new Date(current + bucketMs), starts };
}

/** Which bucket holds `at`, or null when it is outside the window. */
export function bucketIndex(b: Pick<TrendBuckets, 'start' | 'end' | 'bucketMs'>, at: Date): number | null {
  const t = at.getTime();
  if (t < b.start.getTime() || t >= b.end.getTime()) return null;
  return Math.floor((t - b.start.getTime()) / b.bucketMs);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A bucket as an axis or a table names it, in UTC: "14:00" for an hour, "3 Mar" for a day. */
export function bucketLabel(bucket: TrendBucket, start: Date): string {
  if (bucket === 'hour') return `${start.toISOString().slice(11, 16)}`;
  return `${start.getUTCDate()} ${MONTHS[start.getUTCMonth()]}`;
}

/** A bucket in full, for a table row or a tooltip: "2026-03-03 14:00–15:00 UTC" or "2026-03-03 UTC". */
export function bucketTitle(bucket: TrendBucket, start: Date): string {
  const day = start.toISOString().slice(0, 10);
  if (bucket === 'day') return `${day} UTC`;
  const end = new Date(start.getTime() + HOUR_MS);
  const endLabel = end.getUTCHours() === 0 ? '24:00' : end.toISOString().slice(11, 16);
  return `${day} ${start.toISOString().slice(11, 16)}–${endLabel} UTC`;
}
