'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { useState } from 'react';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { type DataColumn, DataTable } from '../../_components/data-table';
import { SelectField } from '../../_components/fields';
import { KeyValueSearch } from '../../_components/key-value-search';
import { QueryState } from '../../_components/query-state';
import { useHasRole } from '../../_components/require-role';
import { ClockTime, Time, utcString } from '../../_components/time';
import { Button, EmptyBox, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import type { OrphanMapping, PendingBuildRequest } from '@/server/triage/contract';
import { BUILD_STATES, type BuildState, buildRequestsInput, buildRequestsSearchParams, filterBuildRequests, parseAge } from './search-params';
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

const SEARCH_KEYS = [
  { key: 'project', help: 'project id containing it' },
  { key: 'user', help: 'user id containing it' },
  { key: 'flavor', help: 'the flavor name' },
  { key: 'state', help: BUILD_STATES.join(', ') },
  { key: 'age', help: 'at least this old: 90s, 30m, 2h, 1d' },
];

/** A long id shortened on screen; whole on hover, in the copy and in the export. */
function ShortId({ id }: { id: string | null }) {
  if (!id) return <>—</>;
  return <span title={id}>{id.length > 12 ? `${id.slice(0, 8)}…` : id}</span>;
}

export function BuildRequestsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(buildRequestsSearchParams);
  const input = buildRequestsInput(search);
  const [target, setTarget] = useState<PendingBuildRequest | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The delete dialog pauses it (a native <dialog>), so the row asked about stays put.
  const refresh = useAutoRefresh();
  const q = useQuery(trpc.triage.buildRequests.list.queryOptions(input, { placeholderData: (prev) => prev, refetchInterval: refresh.interval }));
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
  const filter = { project: search.project, user: search.user, flavor: search.flavor, state: search.state, age: search.age, q: search.q };
  const filtered = Object.values(filter).some(Boolean);

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
        <AutoRefreshControl state={refresh} asOf={null} />
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

      <KeyValueSearch
        label="Search pending build requests"
        keys={SEARCH_KEYS}
        fields={filter}
        free={search.q}
        freeHelp="the instance's name or uuid"
        onSearch={({ fields, free }) => {
          const state = fields.state?.toLowerCase() ?? null;
          if (state && !(BUILD_STATES as readonly string[]).includes(state)) return `state: is one of ${BUILD_STATES.join(', ')}.`;
          if (fields.age && parseAge(fields.age) === null) return 'age: is a duration such as 90s, 30m, 2h or 1d (at least this old).';
          void setSearch({
            project: fields.project ?? null,
            user: fields.user ?? null,
            flavor: fields.flavor ?? null,
            state: state as BuildState | null,
            age: fields.age ?? null,
            q: free || null,
          });
        }}
      />

      <QueryState query={q} what="build requests" errorTitle="Could not list the build requests">
        {(d) => {
          const rows = filterBuildRequests(d.buildRequests, filter);
          return (
            <>
              <Summary rows={d.buildRequests} threshold={threshold} asOf={d.asOf} />
              <h2 className="mb-2 mt-4 text-lg font-semibold">Pending</h2>
              {d.buildRequests.length === 0 ? (
                <EmptyBox>No pending build requests: every accepted boot has been placed in a cell (or in cell0).</EmptyBox>
              ) : (
                <PendingTable
                  rows={rows}
                  threshold={threshold}
                  onDelete={setTarget}
                  empty={filtered ? `No pending build requests match this search (${d.buildRequests.length} pending in all).` : null}
                />
              )}

              <h2 className="mb-1 mt-8 text-lg font-semibold">Orphaned instance mappings</h2>
              <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
                Mappings with no cell and no build request: deleted before a conductor placed them, or a lost message (nova §5.4). nova's conductor removes such
                a mapping when it notices the build request is gone; if it never does, it stays.
              </p>
              {d.orphans.length === 0 ? <EmptyBox>No orphaned instance mappings.</EmptyBox> : <OrphansTable rows={d.orphans} />}
            </>
          );
        }}
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

function stateText(r: PendingBuildRequest): string {
  const parts = [r.stuck ? 'stuck' : null, r.corrupt ? `corrupt: ${r.corrupt.reason}` : null, r.mappedCell ? `placed in ${cellLabel(r.mappedCell)}` : null];
  return parts.filter(Boolean).join('; ') || 'scheduling';
}

function PendingTable({
  rows,
  threshold,
  onDelete,
  empty,
}: {
  rows: PendingBuildRequest[];
  threshold: number;
  onDelete: (r: PendingBuildRequest) => void;
  empty: string | null;
}) {
  // Deleting is support's; the server refuses others regardless.
  const canDelete = useHasRole('support');
  // The server gives every pending row (no pages), so the browser sorts the whole list.
  const columns: DataColumn<PendingBuildRequest>[] = [
    {
      id: 'instance',
      header: 'Instance',
      value: (r) => r.instanceUuid,
      cell: (r) => (r.instanceUuid ? r.instanceUuid : <span className="italic">NULL</span>),
      copy: true,
      rowHeader: true,
      always: true,
      sort: 'client',
      className: 'whitespace-nowrap font-mono text-xs font-normal',
    },
    {
      id: 'state',
      header: 'State',
      value: stateText,
      sort: 'client',
      className: 'whitespace-nowrap',
      cell: (r) => (
        <>
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
        </>
      ),
    },
    { id: 'name', header: 'Name', value: (r) => r.name, sort: 'client', className: 'whitespace-nowrap' },
    { id: 'project', header: 'Project', value: (r) => r.projectId, cell: (r) => <ShortId id={r.projectId} />, sort: 'client', className: 'font-mono text-xs' },
    { id: 'user', header: 'User', value: (r) => r.userId, cell: (r) => <ShortId id={r.userId} />, sort: 'client', className: 'font-mono text-xs' },
    { id: 'flavor', header: 'Flavor', value: (r) => r.flavor?.name ?? null, sort: 'client', className: 'whitespace-nowrap' },
    {
      id: 'image',
      header: 'Image',
      // '' is a boot from volume, as nova writes it.
      value: (r) => (r.imageRef === '' ? 'volume' : r.imageRef),
      cell: (r) =>
        r.imageRef === null ? (
          '—'
        ) : r.imageRef === '' ? (
          <span className="font-sans italic">volume</span>
        ) : (
          <span title={r.imageRef}>{r.imageRef.slice(0, 8)}…</span>
        ),
      sort: 'client',
      className: 'font-mono text-xs',
    },
    {
      id: 'zone',
      header: 'Zone',
      value: (r) => r.availabilityZone,
      cell: (r) => r.availabilityZone ?? <span className="text-zinc-500">any</span>,
      sort: 'client',
    },
    {
      id: 'age',
      header: 'Age',
      // Exported in seconds, the unit the server measures it in.
      value: (r) => r.ageSeconds,
      cell: (r) => (r.ageSeconds === null ? '—' : <span title={r.createdAt ? utcString(r.createdAt) : undefined}>{formatAge(r.ageSeconds)}</span>),
      sort: 'client',
      firstDir: 'desc',
      className: 'whitespace-nowrap tabular-nums',
    },
    { id: 'created', header: 'Created', value: (r) => r.createdAt, sort: 'client', firstDir: 'desc', hiddenByDefault: true, className: 'whitespace-nowrap' },
    {
      id: 'actions',
      header: 'Actions',
      value: () => null,
      noExport: true,
      always: true,
      cell: (r) =>
        r.instanceUuid && canDelete ? (
          <Button variant="danger" aria-label={`Delete build request ${r.instanceUuid}`} onClick={() => onDelete(r)}>
            Delete
          </Button>
        ) : null,
    },
  ];
  return (
    <DataTable
      label="Pending build requests"
      columns={columns}
      rows={rows}
      rowKey={(r) => r.instanceUuid ?? `null-${r.projectId}-${r.createdAt?.getTime() ?? ''}-${r.name ?? ''}`}
      rowData={(r) => ({ 'data-stuck': r.stuck ? 'true' : undefined })}
      rowClassName={(r) =>
        r.stuck ? 'bg-amber-50 outline outline-1 -outline-offset-1 outline-amber-300 dark:bg-amber-950/60 dark:outline-amber-700' : undefined
      }
      empty={empty}
    />
  );
}

function OrphansTable({ rows }: { rows: OrphanMapping[] }) {
  const columns: DataColumn<OrphanMapping>[] = [
    {
      id: 'instance',
      header: 'Instance',
      value: (o) => o.instanceUuid,
      copy: true,
      rowHeader: true,
      always: true,
      sort: 'client',
      className: 'whitespace-nowrap font-mono text-xs font-normal',
    },
    { id: 'project', header: 'Project', value: (o) => o.projectId, sort: 'client', className: 'font-mono text-xs' },
    { id: 'user', header: 'User', value: (o) => o.userId, sort: 'client', className: 'font-mono text-xs' },
    {
      id: 'queued',
      header: 'Queued for delete',
      value: (o) => (o.queuedForDelete === null ? 'NULL (not migrated)' : o.queuedForDelete ? 'yes' : 'no'),
      sort: 'client',
    },
    {
      id: 'created',
      header: 'Created',
      value: (o) => o.createdAt,
      cell: (o) => (o.createdAt ? <Time value={o.createdAt} /> : '—'),
      sort: 'client',
      firstDir: 'desc',
      className: 'whitespace-nowrap',
    },
  ];
  return <DataTable label="Orphaned instance mappings" prefix="o" columns={columns} rows={rows} rowKey={(o) => o.instanceUuid} />;
}
