'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { CopyButton } from '../../_components/copy-button';
import { useHasRole } from '../../_components/require-role';
import { ClockTime, Time, utcString } from '../../_components/time';
import { SelectField } from '../../_components/fields';
import { QueryState } from '../../_components/query-state';
import { Button, EmptyBox, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import type { PendingBuildRequest } from '@/server/triage/contract';
import { buildRequestsInput, buildRequestsSearchParams } from './search-params';

const REFRESH_MS = 30_000;
const THRESHOLDS = [5, 10, 30, 60, 180, 1440];

/** An age as a duration: the seconds matter for a fresh boot, the days for a stuck one. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function minutesLabel(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

function Badge({ tone, children, title }: { tone: 'amber' | 'red' | 'sky'; children: React.ReactNode; title?: string }) {
  const tones = {
    amber: 'bg-amber-200 text-amber-950 dark:bg-amber-800 dark:text-amber-50',
    red: 'bg-red-200 text-red-950 dark:bg-red-900 dark:text-red-50',
    sky: 'bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-50',
  };
  return (
    <span title={title} className={`mr-1 inline-block rounded px-1.5 py-0.5 text-xs font-semibold uppercase tracking-wide ${tones[tone]}`}>
      {children}
    </span>
  );
}

export function BuildRequestsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(buildRequestsSearchParams);
  const input = buildRequestsInput(search);
  const [target, setTarget] = useState<PendingBuildRequest | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const q = useQuery(trpc.triage.buildRequests.list.queryOptions(input, { placeholderData: (prev) => prev, refetchInterval: target ? false : REFRESH_MS }));
  const del = useMutation(
    trpc.triage.buildRequests.delete.mutationOptions({
      onSuccess: async (r) => {
        setTarget(null);
        setDone(r.message);
        await queryClient.invalidateQueries({ queryKey: trpc.triage.buildRequests.pathKey() });
      },
    }),
  );
  const threshold = input.stuckAfterMinutes;
  const options = THRESHOLDS.includes(threshold) ? THRESHOLDS : [...THRESHOLDS, threshold].sort((a, b) => a - b);

  return (
    <div>
      <PageHeader
        title="Build requests"
        description="Boots nova's API accepted that no conductor has placed in a cell yet (build_requests). A healthy conductor places them in seconds."
      >
        <SelectField
          inline
          label="Stuck after"
          value={threshold}
          onChange={(e) => void setSearch({ stuck: Number(e.target.value) })}
          options={options.map((m) => ({ value: m, label: minutesLabel(m) }))}
        />
        <Button onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      {done ? (
        <p
          role="status"
          className="mb-4 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
        >
          {done}
        </p>
      ) : null}

      <QueryState query={q} what="build requests" errorTitle="Could not list the build requests">
        {(d) => (
          <>
            <Summary rows={d.buildRequests} threshold={threshold} asOf={d.asOf} />
            <h2 className="mb-2 mt-4 text-lg font-semibold">Pending</h2>
            {d.buildRequests.length === 0 ? (
              <EmptyBox>No pending build requests: every accepted boot has been placed in a cell (or in cell0).</EmptyBox>
            ) : (
              <PendingTable rows={d.buildRequests} threshold={threshold} onDelete={setTarget} />
            )}

            <h2 className="mb-1 mt-8 text-lg font-semibold">Orphaned instance mappings</h2>
            <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
              Mappings with no cell and no build request: deleted before a conductor placed them, or a lost message (nova §5.4). nova's conductor removes such a
              mapping when it notices the build request is gone; if it never does, it stays.
            </p>
            {d.orphans.length === 0 ? (
              <EmptyBox>No orphaned instance mappings.</EmptyBox>
            ) : (
              <Table
                label="Orphaned instance mappings"
                head={
                  <>
                    <Th>Instance</Th>
                    <Th>Project</Th>
                    <Th>User</Th>
                    <Th>Queued for delete</Th>
                    <Th>Created</Th>
                  </>
                }
              >
                {d.orphans.map((o) => (
                  <tr key={o.instanceUuid}>
                    <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-mono text-xs font-normal">
                      {o.instanceUuid}
                      <CopyButton value={o.instanceUuid} label={`Copy uuid ${o.instanceUuid}`} />
                    </th>
                    <Td className="font-mono text-xs">{o.projectId}</Td>
                    <Td className="font-mono text-xs">{o.userId ?? '—'}</Td>
                    <Td>{o.queuedForDelete === null ? 'NULL (not migrated)' : o.queuedForDelete ? 'yes' : 'no'}</Td>
                    <Td className="whitespace-nowrap">{o.createdAt ? <Time value={o.createdAt} /> : '—'}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </>
        )}
      </QueryState>

      <ConfirmDialog
        open={target !== null}
        title={`Delete the build request of ${target?.name ?? target?.instanceUuid ?? ''}?`}
        confirmLabel="Delete build request"
        busy={del.isPending}
        error={del.error?.message ?? null}
        onCancel={() => {
          del.reset();
          setTarget(null);
        }}
        onConfirm={() => target?.instanceUuid && del.mutate({ instanceUuid: target.instanceUuid })}
      >
        <p>
          As nova's API deletes a server that is still booting: the build request is deleted and the instance mapping is queued for delete. If a conductor
          placed it meanwhile, that instance is deleted in its cell. The request spec stays until archive.
        </p>
        <p className="font-medium">This cannot be undone: the boot will not happen.</p>
        <p className="font-mono text-xs">{target?.instanceUuid}</p>
      </ConfirmDialog>
    </div>
  );
}

function Summary({ rows, threshold, asOf }: { rows: PendingBuildRequest[]; threshold: number; asOf: Date }) {
  const stuck = rows.filter((r) => r.stuck).length;
  const corrupt = rows.filter((r) => r.corrupt).length;
  return (
    <p role="status" aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
      {rows.length} pending · <strong className={stuck ? 'text-amber-800 dark:text-amber-300' : ''}>{stuck} stuck</strong> (older than {minutesLabel(threshold)}
      ) · {corrupt} corrupt · as of <ClockTime value={asOf} />
    </p>
  );
}

function PendingTable({ rows, threshold, onDelete }: { rows: PendingBuildRequest[]; threshold: number; onDelete: (r: PendingBuildRequest) => void }) {
  // Deleting is support's; the server refuses others regardless.
  const canDelete = useHasRole('support');
  return (
    <Table
      label="Pending build requests"
      head={
        <>
          <Th>Instance</Th>
          <Th>State</Th>
          <Th>Name</Th>
          <Th>Project</Th>
          <Th>User</Th>
          <Th>Flavor</Th>
          <Th>Image</Th>
          <Th>Zone</Th>
          <Th>Age</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </>
      }
    >
      {rows.map((r, n) => (
        <tr
          key={r.instanceUuid ?? `null-${n}`}
          data-stuck={r.stuck ? 'true' : undefined}
          className={r.stuck ? 'bg-amber-50 outline outline-1 -outline-offset-1 outline-amber-300 dark:bg-amber-950/60 dark:outline-amber-700' : undefined}
        >
          <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-mono text-xs font-normal">
            {r.instanceUuid ? (
              <>
                {r.instanceUuid}
                <CopyButton value={r.instanceUuid} label={`Copy uuid ${r.instanceUuid}`} />
              </>
            ) : (
              <span className="italic">NULL</span>
            )}
          </th>
          <Td className="whitespace-nowrap">
            {r.stuck ? (
              <Badge tone="amber" title={`Older than ${minutesLabel(threshold)}: no conductor has placed it`}>
                stuck
              </Badge>
            ) : null}
            {r.corrupt ? (
              <Badge tone="red" title={r.corrupt.reason}>
                corrupt
              </Badge>
            ) : null}
            {r.mappedCell ? <Badge tone="sky">placed in {cellLabel(r.mappedCell)}</Badge> : null}
            {!r.stuck && !r.corrupt && !r.mappedCell ? <span className="text-xs text-zinc-500">scheduling</span> : null}
            {r.corrupt ? <p className="mt-1 max-w-56 whitespace-normal text-xs text-red-800 dark:text-red-300">{r.corrupt.reason}</p> : null}
          </Td>
          <Td className="whitespace-nowrap">{r.name ?? '—'}</Td>
          <Td className="font-mono text-xs">
            <span title={r.projectId}>{r.projectId.length > 12 ? `${r.projectId.slice(0, 8)}…` : r.projectId}</span>
          </Td>
          <Td className="font-mono text-xs">
            <span title={r.userId ?? undefined}>{r.userId ? (r.userId.length > 12 ? `${r.userId.slice(0, 8)}…` : r.userId) : '—'}</span>
          </Td>
          <Td className="whitespace-nowrap">{r.flavor?.name ?? '—'}</Td>
          <Td className="font-mono text-xs">
            {r.imageRef === null ? (
              '—'
            ) : r.imageRef === '' ? (
              <span className="font-sans italic">volume</span>
            ) : (
              <span title={r.imageRef}>{r.imageRef.slice(0, 8)}…</span>
            )}
          </Td>
          <Td>{r.availabilityZone ?? <span className="text-zinc-500">any</span>}</Td>
          <Td className="whitespace-nowrap tabular-nums">
            {r.ageSeconds === null ? '—' : <span title={r.createdAt ? utcString(r.createdAt) : undefined}>{formatAge(r.ageSeconds)}</span>}
          </Td>
          <Td>
            {r.instanceUuid && canDelete ? (
              <Button variant="danger" aria-label={`Delete build request ${r.instanceUuid}`} onClick={() => onDelete(r)}>
                Delete
              </Button>
            ) : null}
          </Td>
        </tr>
      ))}
    </Table>
  );
}
