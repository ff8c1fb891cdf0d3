import 'server-only';
/**
 * What a runner writes about a job it holds: heartbeats, progress, the end. Every write is
 * conditional on the claim (state running, started_at as the claim wrote it), so a runner
 * that was presumed dead and replaced cannot overwrite the new runner's work: its write
 * matches no row, and it learns it lost the job.
 */
import type { Deps } from '../deps';
import type { ClaimedJob } from './job';

type Api = Pick<Deps, 'api'>;

/** Thrown to the job body when its claim is gone (another runner took the job over). */
export class LostClaimError extends Error {
  constructor(readonly jobId: number) {
    super(`job ${jobId} was taken over by another runner`);
    this.name = 'LostClaimError';
  }
}

async function conditional(deps: Api, job: ClaimedJob, set: string, values: unknown[]): Promise<void> {
  const r = await deps.api.sql.unsafe(
    `update cellar.jobs set ${set}, heartbeat_at = (now() at time zone 'utc')
     where id = $1 and state = 'running' and started_at = $2::timestamp`,
    [job.id, job.claim, ...values] as never[],
  );
  if (r.count === 0) throw new LostClaimError(job.id);
}

/** Still alive. */
export function heartbeatJob(deps: Api, job: ClaimedJob): Promise<void> {
  return conditional(deps, job, 'state = state', []);
}

/** Still alive, and this far. */
export function reportProgress(deps: Api, job: ClaimedJob, progress: Record<string, unknown>): Promise<void> {
  return conditional(deps, job, 'progress = $3::jsonb', [JSON.stringify(progress)]);
}

export function finishJob(deps: Api, job: ClaimedJob, progress: Record<string, unknown>, result: Record<string, unknown>): Promise<void> {
  return conditional(deps, job, `state = 'done', progress = $3::jsonb, result = $4::jsonb, finished_at = (now() at time zone 'utc')`, [
    JSON.stringify(progress),
    JSON.stringify(result),
  ]);
}

/** Failed with a plain message; the progress it stored stays, so people see how far it got. */
export function failJob(deps: Api, job: ClaimedJob, error: string): Promise<void> {
  return conditional(deps, job, `state = 'failed', error = $3, finished_at = (now() at time zone 'utc')`, [error]);
}

/** Put back in the queue (the runner is stopping): the next runner resumes it at once, not after it goes stale. */
export function releaseJob(deps: Api, job: ClaimedJob): Promise<void> {
  return conditional(deps, job, `state = 'queued'`, []);
}
