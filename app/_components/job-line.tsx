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

/**
 * A job's progress bar: `now` of `total` (null: not known, drawn as a sliver until done),
 * coloured by its state. The width is set on the element, not as a style attribute: the
 * page's CSP refuses those in the server's HTML.
 */
export function JobBar({ state, what, now, total, text }: { state: Job['state']; what: string; now: number; total: number | null; text: string }) {
  const pct = total === null ? (state === 'done' ? 100 : 5) : total === 0 ? 100 : Math.round((Math.min(now, total) / total) * 100);
  return (
    <div
      role="progressbar"
      aria-label={`${what} progress`}
      aria-valuemin={0}
      aria-valuemax={total ?? undefined}
      aria-valuenow={total === null ? undefined : Math.min(now, total)}
      aria-valuetext={text}
      className="h-2 w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
    >
      <div
        className={`h-full ${state === 'failed' ? 'bg-red-600' : state === 'done' ? 'bg-emerald-600' : 'bg-sky-600'}`}
        ref={(el) => {
          if (el) el.style.width = `${pct}%`;
        }}
      />
    </div>
  );
}
