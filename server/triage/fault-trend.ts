import 'server-only';
/**
 * cell0's failures over time, stacked by normalised fault (console-ux "Pictures"): how
 * many of the boots buried in cell0 failed in each hour or day of a window, per fault
 * group, so a spike is seen rather than read off timestamps.
 *
 * What is counted is what the fault groups count (fault-groups.ts): each live cell0
 * instance once, under the normalised text of its latest fault, at that fault's time
 * (the instance's created_at when it has none). A group's trend therefore adds up to its
 * count in the window, and a failure deleted from cell0 leaves the trend as it leaves
 * the list (nova soft-deletes its faults with it, and archive_deleted_rows moves them
 * away: counting deleted ones would make the past change with every archive run).
 */
import type { Deps } from '../deps';
import { type Cell0Filters, cell0Read, type Cell0ReadResult, liveCell0Where, matchesExactly, needsExactFilter } from './cell0-read';
import { normaliseFault } from './fault-text';
import { type TrendBucket, type TrendBuckets, trendBuckets, type TrendWindow } from './trend-window';

export interface FaultTrendGroup {
  /** The normalised fault text (the fault groups' key). */
  key: string;
  /** Failures of this group in the window. */
  count: number;
  /** Per bucket, oldest first. */
  series: number[];
}

export interface FaultTrend {
  window: TrendWindow;
  bucket: TrendBucket;
  /** The window: [start, end), whole UTC hours or days. */
  start: Date;
  end: Date;
  /** Each bucket's start, oldest first. */
  bucketStarts: Date[];
  /** Failures in the window, and per bucket, over every group. */
  total: number;
  totals: number[];
  /** Every group with a failure in the window, the largest first. */
  groups: FaultTrendGroup[];
}

/** One row of the bucketing query: identical (bucket, message, flavor copy) folded together. */
export interface TrendRow {
  bucket: number;
  message: string | null;
  /** instance_extra.flavor, read only when a flavor filter needs the exact test. */
  flavor: string | null;
  n: number;
}

/** Fold the bucketing rows into groups by normalised text, largest first. Pure: tested on its own. */
export function foldTrend(rows: readonly TrendRow[], buckets: Pick<TrendBuckets, 'window' | 'bucket' | 'start' | 'end' | 'starts'>): FaultTrend {
  const size = buckets.starts.length;
  const groups = new Map<string, FaultTrendGroup>();
  const totals = new Array<number>(size).fill(0);
  for (const r of rows) {
    const b = Number(r.bucket);
    // The query keeps to the window; a row outside it (a clock in between) is not drawn.
    if (!Number.isInteger(b) || b < 0 || b >= size) continue;
    const key = normaliseFault(r.message);
    let g = groups.get(key);
    if (!g) {
      g = { key, count: 0, series: new Array<number>(size).fill(0) };
      groups.set(key, g);
    }
    const n = Number(r.n);
    g.series[b]! += n;
    g.count += n;
    totals[b]! += n;
  }
  return {
    window: buckets.window,
    bucket: buckets.bucket,
    start: buckets.start,
    end: buckets.end,
    bucketStarts: buckets.starts,
    total: totals.reduce((s, n) => s + n, 0),
    totals,
    groups: [...groups.values()].sort((a, b) => b.count - a.count || lastBucket(b) - lastBucket(a) || a.key.localeCompare(b.key)),
  };
}

/** The latest bucket a group failed in: of equal counts, the one failing most recently first. */
function lastBucket(g: FaultTrendGroup): number {
  for (let i = g.series.length - 1; i >= 0; i--) if (g.series[i]! > 0) return i;
  return -1;
}

export type FaultTrendResult = Cell0ReadResult<FaultTrend>;

/**
 * cell0's live failures of the window in buckets, one statement in cell0: each instance
 * with its latest fault, its bucket computed in SQL, and identical (bucket, message)
 * rows folded there; the normalisation then runs on those few rows. The fault groups'
 * filters apply as on the list (exact flavor and group tests in TypeScript). A cell0 that
 * does not answer is reported down with its last-known counts, never thrown.
 */
export async function cell0FaultTrend(deps: Deps, opts: { window: TrendWindow; filters?: Omit<Cell0Filters, 'group'> }): Promise<FaultTrendResult> {
  const filters = opts.filters ?? {};
  const buckets = trendBuckets(opts.window, deps.now());
  // nova's timestamps are naive UTC; the ISO text without its zone is the same instant there.
  const startTs = buckets.start.toISOString().replace('Z', '');
  const endTs = buckets.end.toISOString().replace('Z', '');
  const bucketS = buckets.bucketMs / 1000;
  const exact = needsExactFilter(filters);
  return cell0Read(deps, async ({ handle }) => {
    const sql = handle.sql;
    const rows = await sql<TrendRow[]>`
      select floor(extract(epoch from (coalesce(f.created_at, i.created_at) - ${startTs}::timestamp)) / ${bucketS})::int as bucket,
             f.message, ${filters.flavor ? sql`e.flavor` : sql`null::text`} as flavor, count(*)::int as n
      from instances i
      left join lateral (
        select id, message, created_at from instance_faults
        where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
      ) f on true
      ${
        filters.flavor
          ? sql`left join lateral (
        select flavor from instance_extra where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
      ) e on true`
          : sql``
      }
      where ${liveCell0Where(sql, filters)}
        and coalesce(f.created_at, i.created_at) >= ${startTs}::timestamp
        and coalesce(f.created_at, i.created_at) < ${endTs}::timestamp
      group by 1, f.message${filters.flavor ? sql`, e.flavor` : sql``}`;
    return foldTrend(exact ? rows.filter((r) => matchesExactly(filters, r)) : rows, buckets);
  });
}
