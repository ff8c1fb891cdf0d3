import 'server-only';
import type { Deps } from '../deps';
import { type ClaimedJob, JOB_COLUMNS, type JobRow, toClaimedJob } from './job';

export interface ClaimOptions {
  /** Only these kinds: a runner claims what it knows how to run. */
  kinds: readonly string[];
  /** A running job whose heartbeat is older than this belongs to a runner that died. */
  staleAfterMs: number;
  /** Who claims it (server/replica.ts): shown with its progress, from any replica. */
  runner?: string | null;
}

/**
 * Take the next job: a queued one, or a running one whose runner stopped beating (killed,
 * crashed, lost its network), which then resumes from the progress it stored. Stale ones
 * first, so a killed job is not starved by newer work; then oldest first. Runners at the
 * same time never get the same job: the row is locked by the first and SKIP LOCKED passes
 * it over for the others.
 */
export async function claimJob(deps: Pick<Deps, 'api'>, opts: ClaimOptions): Promise<ClaimedJob | null> {
  const rows = await deps.api.sql.unsafe<JobRow[]>(
    `update cellar.jobs
     set state = 'running', runner = $3, started_at = (now() at time zone 'utc'), heartbeat_at = (now() at time zone 'utc'), error = null
     where id = (
       select id from cellar.jobs
       where kind = any($1::text[])
         and (state = 'queued'
              or (state = 'running'
                  and coalesce(heartbeat_at, started_at, created_at) < (now() at time zone 'utc') - $2 * interval '1 millisecond'))
       order by state = 'running' desc, id
       for update skip locked
       limit 1)
     returning ${JOB_COLUMNS}`,
    [[...opts.kinds], opts.staleAfterMs, opts.runner ?? null],
  );
  return rows[0] ? toClaimedJob(rows[0]) : null;
}
