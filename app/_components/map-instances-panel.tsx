'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { cellLabel } from '@/server/cells/contract';
import type { MapInstancesJob } from '@/server/jobs/contract';
import { useTRPC } from '../_trpc/client';
import { QueryState } from './query-state';
import { useHasRole } from './require-role';
import { JOB_STATE_TEXT, JobBar, JobLine } from './job-line';
import { Time } from './time';
import { Button, ErrorBox } from './ui';
import { useHydrated } from './use-hydrated';

const active = (job: MapInstancesJob | undefined) => job?.state === 'queued' || job?.state === 'running';
const fmt = (n: number) => n.toLocaleString('en');

function Counts({ job }: { job: MapInstancesJob }) {
  const p = job.progress;
  return (
    <p role="status" className="text-sm" aria-label="map_instances counts">
      {fmt(p.mapped)} newly mapped, {fmt(p.alreadyMapped)} already mapped
      {p.skipped ? `, ${fmt(p.skipped)} skipped (the VIF migration's fake instance, or no project)` : ''}
    </p>
  );
}

function ProgressBar({ job }: { job: MapInstancesJob }) {
  const { total, scanned } = job.progress;
  if (total === null) {
    // Not counted yet: an indeterminate bar (no value), as ARIA has it.
    return (
      <div>
        <div
          role="progressbar"
          aria-label="map_instances progress"
          aria-valuetext="Counting the instances of the cell"
          className="h-2 w-full animate-pulse rounded bg-zinc-200 dark:bg-zinc-800"
        />
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{job.state === 'queued' ? 'Not started yet.' : 'Counting the instances of the cell…'}</p>
      </div>
    );
  }
  // Instances booted while the job runs can take it past the count it started with.
  const now = Math.min(scanned, total);
  const text = `${fmt(now)} of ${fmt(total)} instances`;
  return (
    <div>
      <JobBar state={job.state} what="map_instances" now={now} total={total} text={text} />
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{text}</p>
    </div>
  );
}

function CurrentJob({ job }: { job: MapInstancesJob }) {
  return (
    <div className="space-y-2">
      <JobLine job={job} what="map_instances" />
      <ProgressBar job={job} />
      <Counts job={job} />
      {job.state === 'failed' && job.error ? <ErrorBox title="map_instances failed" message={job.error} /> : null}
      {job.state === 'failed' ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">What it mapped stays mapped; running it again maps the rest and nothing twice.</p>
      ) : null}
    </div>
  );
}

/**
 * map_instances on one cell, from the console: a button for operators that queues the job,
 * and the current (or last) job with its progress, refreshed every second while it runs.
 */
export function MapInstancesPanel({ cellUuid, cellName }: { cellUuid: string; cellName: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRun = useHasRole('operator');
  const hydrated = useHydrated();
  const [note, setNote] = useState<string | null>(null);
  const jobs = useQuery({
    ...trpc.jobs.listForCell.queryOptions({ cellUuid }),
    refetchInterval: (q) => (active(q.state.data?.[0]) ? 1000 : false),
  });
  const start = useMutation(
    trpc.jobs.startMapInstances.mutationOptions({
      onSuccess: async (r) => {
        setNote(r.created ? null : r.message);
        await queryClient.invalidateQueries({ queryKey: trpc.jobs.listForCell.queryKey({ cellUuid }) });
      },
    }),
  );
  const job = jobs.data?.[0];
  const earlier = jobs.data?.slice(1) ?? [];
  const label = cellLabel({ uuid: cellUuid, name: cellName });

  return (
    <section aria-label="Map instances" className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 className="text-lg font-semibold">Map instances</h2>
        {canRun ? (
          <Button
            variant="primary"
            onClick={() => {
              setNote(null);
              start.mutate({ cellUuid });
            }}
            disabled={!hydrated || start.isPending || active(job)}
          >
            Map instances
          </Button>
        ) : null}
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Gives every instance of {label}, deleted ones included, an instance mapping to this cell, as nova-manage cell_v2 map_instances does. It runs in the
        background in batches and goes on where it stopped if the console is restarted; running it again maps nothing twice.
      </p>
      {start.error ? <ErrorBox title="Could not start map_instances" message={start.error.message} /> : null}
      {note ? (
        <p role="status" className="text-sm">
          {note}
        </p>
      ) : null}
      <QueryState
        query={jobs}
        what="the map_instances jobs"
        isEmpty={(d) => d.length === 0}
        empty="map_instances has not been run on this cell from the console."
      >
        {(d) => <CurrentJob job={d[0]!} />}
      </QueryState>
      {earlier.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Earlier runs ({earlier.length})</summary>
          <ul className="mt-2 space-y-1">
            {earlier.map((j) => (
              <li key={j.id}>
                Job #{j.id}: {JOB_STATE_TEXT[j.state]} · {fmt(j.progress.mapped)} newly mapped, {fmt(j.progress.alreadyMapped)} already mapped
                {j.finishedAt ? (
                  <>
                    {' '}
                    · ended <Time value={j.finishedAt} />
                  </>
                ) : null}
                {j.error ? ` · ${j.error}` : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
