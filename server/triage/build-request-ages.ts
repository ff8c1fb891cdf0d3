import 'server-only';
/**
 * Pending build requests by age, for the overview: how many boots wait for a conductor,
 * and for how long. One statement in the api database counts the same rows the build
 * requests page lists (pendingBuildRequestsWhere), by age bucket and stuck or not, so a
 * conductor that stopped placing boots shows as a bar growing on the right.
 */
import type { Deps } from '../deps';
import { AGE_BUCKETS, type AgeBucketKey } from './age-buckets';
import { pendingBuildRequestsWhere } from './build-requests';
import { DEFAULT_STUCK_AFTER_MINUTES } from './stuck-threshold';

export interface BuildRequestAges {
  /** Every age bucket, youngest first, with its count (0 included). */
  buckets: { key: AgeBucketKey; label: string; count: number }[];
  /** Rows with no created_at: their age cannot be told. */
  unknownAge: number;
  total: number;
  /** Older than the stuck threshold. */
  stuck: number;
  stuckAfterMinutes: number;
  asOf: Date;
}

export async function buildRequestAges(deps: Deps, opts: { stuckAfterMinutes?: number } = {}): Promise<BuildRequestAges> {
  const stuckAfterMinutes = opts.stuckAfterMinutes ?? DEFAULT_STUCK_AFTER_MINUTES;
  const now = deps.now();
  const nowTs = now.toISOString();
  // width_bucket: 0 below the first edge, i from edge i on; a NULL age is no bucket.
  const edges = AGE_BUCKETS.flatMap((b) => (b.fromS > 0 ? [b.fromS] : []));
  const rows = await deps.api.sql<{ bucket: number | null; n: number; stuck: number }[]>`
    select width_bucket(a.age_s, ${edges}::float8[]) as bucket, count(*)::int as n,
           count(*) filter (where a.age_s > ${stuckAfterMinutes * 60})::int as stuck
    from (
      -- Whole seconds, never below 0: the age the build requests page shows and calls stuck
      -- (greatest() skips a NULL, so a row with no created_at is kept NULL by hand).
      select case when b.created_at is null then null
                  else greatest(0, floor(extract(epoch from (${nowTs}::timestamp - b.created_at)))) end::float8 as age_s
      from build_requests b
      where ${pendingBuildRequestsWhere(deps.api.sql)}
    ) a
    group by 1`;
  const counts = new Map(rows.map((r) => [r.bucket, r]));
  const buckets = AGE_BUCKETS.map((b, i) => ({ key: b.key, label: b.label, count: counts.get(i)?.n ?? 0 }));
  const unknownAge = counts.get(null)?.n ?? 0;
  return {
    buckets,
    unknownAge,
    total: rows.reduce((s, r) => s + r.n, 0),
    stuck: rows.reduce((s, r) => s + r.stuck, 0),
    stuckAfterMinutes,
    asOf: now,
  };
}
