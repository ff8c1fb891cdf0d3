import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketLabel, bucketTitle, trendBuckets, trendWindowSchema, windowLabel } from './trend-window';

const NOW = new Date('2026-03-10T14:25:30.123Z');

describe('trendBuckets', () => {
  it('24h: this hour and the 23 before it, whole UTC hours', () => {
    const b = trendBuckets('24h', NOW);
    expect(b.bucket).toBe('hour');
    expect(b.starts).toHaveLength(24);
    expect(b.start).toEqual(new Date('2026-03-09T15:00:00Z'));
    expect(b.starts.at(-1)).toEqual(new Date('2026-03-10T14:00:00Z'));
    expect(b.end).toEqual(new Date('2026-03-10T15:00:00Z'));
  });

  it('7d and 30d: today and the days before it, whole UTC days', () => {
    const w = trendBuckets('7d', NOW);
    expect(w.bucket).toBe('day');
    expect(w.starts.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(w.end).toEqual(new Date('2026-03-11T00:00:00Z'));
    const m = trendBuckets('30d', NOW);
    expect(m.starts).toHaveLength(30);
    // Across a month's end: February 2026 has 28 days.
    expect(m.start).toEqual(new Date('2026-02-09T00:00:00Z'));
  });

  it('puts the window edges where they belong: start in, end out', () => {
    const b = trendBuckets('24h', NOW);
    expect(bucketIndex(b, new Date('2026-03-09T15:00:00.000Z'))).toBe(0);
    expect(bucketIndex(b, new Date('2026-03-09T14:59:59.999Z'))).toBeNull();
    expect(bucketIndex(b, new Date('2026-03-09T15:59:59.999Z'))).toBe(0);
    expect(bucketIndex(b, new Date('2026-03-09T16:00:00.000Z'))).toBe(1);
    // A moment ahead of the clock is still this hour; the next hour is not in the window.
    expect(bucketIndex(b, new Date('2026-03-10T14:59:59.999Z'))).toBe(23);
    expect(bucketIndex(b, new Date('2026-03-10T15:00:00.000Z'))).toBeNull();
  });

  it('at the first instant of an hour, that hour is the current bucket', () => {
    const b = trendBuckets('24h', new Date('2026-03-10T00:00:00.000Z'));
    expect(b.starts.at(-1)).toEqual(new Date('2026-03-10T00:00:00Z'));
    expect(b.start).toEqual(new Date('2026-03-09T01:00:00Z'));
  });
});

describe('labels', () => {
  it('name buckets in UTC, briefly on an axis and in full in a table', () => {
    expect(bucketLabel('hour', new Date('2026-03-10T09:00:00Z'))).toBe('09:00');
    expect(bucketLabel('day', new Date('2026-03-04T00:00:00Z'))).toBe('4 Mar');
    expect(bucketTitle('hour', new Date('2026-03-10T23:00:00Z'))).toBe('2026-03-10 23:00–24:00 UTC');
    expect(bucketTitle('hour', new Date('2026-03-10T09:00:00Z'))).toBe('2026-03-10 09:00–10:00 UTC');
    expect(bucketTitle('day', new Date('2026-03-04T00:00:00Z'))).toBe('2026-03-04 UTC');
    expect(windowLabel('30d')).toBe('last 30 days');
  });
});

describe('trendWindowSchema', () => {
  it('takes the three windows, defaults to 7d, and refuses anything else plainly', () => {
    expect(trendWindowSchema.parse(undefined)).toBe('7d');
    expect(trendWindowSchema.parse('24h')).toBe('24h');
    const bad = trendWindowSchema.safeParse('1y');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('the window is 24h, 7d or 30d');
    expect(trendWindowSchema.safeParse("7d'; drop table instances; --").success).toBe(false);
  });
});
