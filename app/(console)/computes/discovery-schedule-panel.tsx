'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { type DataColumn, DataTable } from '../../_components/data-table';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { Time } from '../../_components/time';
import { Button, ErrorBox } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { DiscoveryRun, DiscoverySchedule } from '@/server/hosts/contract';

const RUN_COLUMNS: DataColumn<DiscoveryRun>[] = [
  { id: 'started', header: 'Started', value: (r) => r.startedAt, cell: (r) => <Time value={r.startedAt} />, rowHeader: true, always: true },
  { id: 'replica', header: 'Replica', value: (r) => r.replica, className: 'font-mono text-xs' },
  { id: 'outcome', header: 'Outcome', value: (r) => r.outcome ?? (r.finishedAt ? null : 'running') },
  { id: 'newly_mapped', header: 'Newly mapped', value: (r) => r.newlyMapped, className: 'text-right tabular-nums' },
  { id: 'skipped', header: 'Cells skipped', value: (r) => r.skippedCells, className: 'text-right tabular-nums' },
  { id: 'finished', header: 'Finished', value: (r) => r.finishedAt, cell: (r) => (r.finishedAt ? <Time value={r.finishedAt} /> : '—'), hiddenByDefault: true },
  { id: 'error', header: 'Error', value: (r) => r.details.error ?? null, hiddenByDefault: true },
];

/**
 * Periodic discovery as every replica sees it (nova's discover_hosts_in_cells_interval): who
 * leads, how often, whether it is paused, its last runs; an operator pauses and resumes it.
 */
export function DiscoverySchedulePanel({ refetchInterval = false }: { refetchInterval?: number | false }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [asking, setAsking] = useState<null | boolean>(null);
  const q = useQuery(trpc.hosts.discoverySchedule.queryOptions(undefined, { refetchInterval }));
  const setPaused = useMutation(
    trpc.hosts.setDiscoveryPaused.mutationOptions({
      onSuccess: (s) => {
        queryClient.setQueryData(trpc.hosts.discoverySchedule.queryKey(), s);
        setAsking(null);
      },
    }),
  );
  return (
    <section aria-labelledby={headingId} className="mt-6 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={headingId} className="text-lg font-semibold">
        Periodic discovery
      </h2>
      <QueryState query={q} what="the discovery schedule">
        {(s) => (
          <>
            <ScheduleState s={s} />
            <RequireRole role="operator">
              <div className="mt-2 flex items-center gap-2">
                {s.paused ? (
                  <Button onClick={() => setAsking(false)}>Resume periodic discovery…</Button>
                ) : (
                  <Button onClick={() => setAsking(true)}>Pause periodic discovery…</Button>
                )}
              </div>
            </RequireRole>
            {setPaused.isError && asking === null ? <ErrorBox title="Could not change the schedule" message={setPaused.error.message} /> : null}
            <div className="mt-3">
              <DataTable
                label="Periodic discovery runs"
                prefix="runs_"
                columns={RUN_COLUMNS}
                rows={s.recentRuns}
                rowKey={(r) => String(r.id)}
                empty="No periodic run yet."
                maxHeight="20rem"
              />
            </div>
            <ConfirmDialog
              open={asking !== null}
              title={asking ? 'Pause periodic discovery?' : 'Resume periodic discovery?'}
              confirmLabel={asking ? 'Pause' : 'Resume'}
              busy={setPaused.isPending}
              error={setPaused.error?.message ?? null}
              onCancel={() => {
                setAsking(null);
                setPaused.reset();
              }}
              onConfirm={() => asking !== null && setPaused.mutate({ paused: asking })}
            >
              <p>
                {asking
                  ? 'No console replica starts a periodic run until it is resumed; a run already under way finishes. New compute hosts stay unmapped (and unschedulable) until someone runs discover_hosts.'
                  : 'The leading replica starts a run at its next interval.'}
              </p>
            </ConfirmDialog>
          </>
        )}
      </QueryState>
    </section>
  );
}

function ScheduleState({ s }: { s: DiscoverySchedule }) {
  return (
    <div role="status" aria-label="Discovery schedule" className="space-y-1 text-sm text-zinc-700 dark:text-zinc-300">
      <p>
        {s.paused ? (
          <strong className="text-amber-700 dark:text-amber-400">
            Paused{s.pausedBy ? ` by ${s.pausedBy}` : ''}
            {s.pausedAt ? (
              <>
                {' '}
                <Time value={s.pausedAt} />
              </>
            ) : null}
            : no replica starts a run.
          </strong>
        ) : s.leader ? (
          <>
            Every {s.leaderIntervalS} s on <code>{s.leader}</code>, one replica at a time.
          </>
        ) : (
          <>
            Off: no console replica runs it.{' '}
            {s.intervalS === null
              ? 'Start the console with CELLAR_DISCOVER_HOSTS_INTERVAL_S=N (seconds) to run it every N seconds.'
              : 'A replica takes the lead shortly.'}
          </>
        )}
      </p>
      {s.lastRunAt ? (
        <p>
          Last run started <Time value={s.lastRunAt} />.
        </p>
      ) : null}
    </div>
  );
}
