'use client';
/**
 * A background job's one line, the same on every page that starts one (map_instances,
 * repairs, archive and purge): its number, its state in words, who started it, when, and
 * which console replica holds it, so any replica shows where the work is running.
 */
import type { Job } from '@/server/jobs/contract';
import { Time } from './time';

export const JOB_STATE_TEXT: Record<Job['state'], string> = {
  queued: 'Queued: waiting for the job runner',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function JobLine({ job, what }: { job: Pick<Job, 'id' | 'state' | 'actor' | 'runner' | 'createdAt' | 'finishedAt'>; what: string }) {
  const quiet = 'text-zinc-600 dark:text-zinc-400';
  return (
    <p className="text-sm">
      <span className="font-medium">Job #{job.id}</span>:{' '}
      <span role="status" aria-label={`${what} state`}>
        {JOB_STATE_TEXT[job.state]}
      </span>
      {job.actor ? <span className={quiet}> · started by {job.actor}</span> : null}
      <span className={quiet}>
        {' '}
        · queued <Time value={job.createdAt} />
        {job.finishedAt ? (
          <>
            {' '}
            · ended <Time value={job.finishedAt} />
          </>
        ) : null}
      </span>
      {job.runner ? (
        <span className={quiet}>
          {' '}
          · {job.state === 'running' ? 'on' : 'last on'} <code>{job.runner}</code>
        </span>
      ) : null}
    </p>
  );
}
