'use client';

import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useEffect, useRef, useState } from 'react';
import { CellsAnswered } from '../../_components/cell-notices';
import { CopyButton } from '../../_components/copy-button';
import { SelectField, TextField } from '../../_components/fields';
import { CellLink } from '../../_components/links';
import { type CellPart, FRAME_INPUT, retryCell, useCellsFrame, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { Time, utcString } from '../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import { type InstanceListPage, type InstanceRow, mergeCellPages, type UnknownInstanceRow, VM_STATES } from '@/server/instances/contract';
import { LookupBox } from './lookup-box';
import { type InstancesParams, instancesSearchParams, PAGE_SIZES, serializeInstancesSearchParams, mergeSpec, toListInput } from './search-params';

const SORTS = [
  { value: 'created_at:desc', label: 'Newest first' },
  { value: 'created_at:asc', label: 'Oldest first' },
  { value: 'updated_at:desc', label: 'Recently updated' },
  { value: 'updated_at:asc', label: 'Least recently updated' },
  { value: 'display_name:asc', label: 'Name A→Z' },
  { value: 'display_name:desc', label: 'Name Z→A' },
] as const;

const STATUS_TONE: Record<string, string> = {
  ACTIVE: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100',
  BUILD: 'bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100',
  ERROR: 'bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100',
  SOFT_DELETED: 'bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100',
  UNKNOWN: 'bg-amber-200 text-amber-950 dark:bg-amber-800 dark:text-amber-50',
};

function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${STATUS_TONE[status] ?? 'bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100'}`}>
      {status}
    </span>
  );
}

export function InstancesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [params, setParams] = useQueryStates(instancesSearchParams, { history: 'push' });
  const input = toListInput(params);
  // Every cell is asked on its own and the pages are merged here as they answer
  // (mergeCellPages, the server's own order): a slow cell holds up only its rows.
  const frame = useCellsFrame();
  const cells = frame.data?.frame ?? [];
  const parts = usePerCell<InstanceListPage>(cells, (c) =>
    trpc.instances.list.queryOptions({ ...input, cellUuids: [c.uuid] }, { placeholderData: keepPreviousData, retry: false }),
  );
  const merged0 = frame.data ? mergeParts(parts, input, frame.data.asOf) : null;
  // Cells answering within a moment of each other show together; a slow one waits alone.
  const hold = useGrace(merged0 ? parts.length - merged0.pending.length : 0, merged0?.pending.length ?? 0);
  // Meanwhile the page shown last stays (as keepPreviousData would), or "Loading…".
  const shownLast = useRef<typeof merged0>(null);
  if (!hold && merged0) shownLast.current = merged0;
  const merged = hold ? shownLast.current : merged0;
  const page = merged?.page;
  const filtered = Boolean(input.projectId || input.vmState || input.host || input.name);
  const retry = retryCell([parts]);
  const fetching = frame.isFetching || parts.some((p) => p.fetching);
  // A marker that no cell can resolve fails every cell's call the same way: the page's error.
  const failed = parts.length > 0 && parts.every((p) => p.error) ? parts[0]!.error : null;

  return (
    <div>
      <PageHeader
        title="Instances"
        description="Every cell, cell0 included, merged into one list. A cell that does not answer still shows what the api database knows of its instances."
      >
        {page && merged ? <CellsAnswered answered={page.answered} total={cells.length} asOf={page.asOf} asking={merged.pending.length} /> : null}
        <Button
          onClick={() => {
            void queryClient.invalidateQueries({ queryKey: trpc.cells.list.queryKey(FRAME_INPUT) });
            void queryClient.invalidateQueries({ queryKey: trpc.instances.list.pathKey() });
          }}
          disabled={fetching}
        >
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      <LookupBox />

      <section aria-labelledby="list-heading">
        <h2 id="list-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-zinc-500">
          All instances
        </h2>
        <Filters params={params} onApply={(f) => void setParams({ ...f, marker: null })} />
        <div className="mb-3 flex flex-wrap items-center gap-4 text-sm">
          <SelectField
            inline
            label="Sort"
            value={`${params.sort}:${params.dir}`}
            onChange={(e) => {
              const [sort, dir] = e.target.value.split(':') as [typeof params.sort, typeof params.dir];
              void setParams({ sort, dir, marker: null });
            }}
            options={SORTS}
          />
          <SelectField
            inline
            label="Page size"
            value={String(input.limit)}
            onChange={(e) => void setParams({ limit: Number(e.target.value), marker: null })}
            options={[...new Set([...PAGE_SIZES, input.limit ?? 50])].sort((a, b) => a - b)}
          />
        </div>

        <QueryState
          query={{
            data: failed ? undefined : page,
            error: failed ?? frame.error,
            isPending: !failed && !frame.error && !page,
            isError: Boolean(failed ?? frame.error),
            isFetching: fetching,
            refetch: () => {
              if (!failed) return void frame.refetch();
              for (const p of parts) p.refetch();
            },
          }}
          what="instances from every cell"
          errorTitle="Could not list the instances"
          errorActions={
            params.marker ? (
              <Link
                href={`/instances${serializeInstancesSearchParams({ ...params, marker: null })}`}
                className="text-sm text-sky-700 underline dark:text-sky-400"
              >
                Start from the first page
              </Link>
            ) : null
          }
          cells={(p) => ({
            down: p.down.map((d) => ({ ...d, message: noticeText(d) })),
            pending: merged!.pending,
            answered: p.answered,
            total: cells.length,
            ...retry,
          })}
          isEmpty={(p) => p.rows.length === 0 && p.unknown.length === 0 && merged!.pending.length === 0}
          empty={
            filtered
              ? 'No instances match these filters in the cells that answered.'
              : cells.length === 0
                ? 'No cells are mapped yet, so there are no instances to list.'
                : 'No instances in any cell that answered.'
          }
        >
          {(p) => <Results page={p} />}
        </QueryState>
        {page && !failed && merged?.pending.length === 0 ? <Pager page={page} params={params} /> : null}
      </section>
    </div>
  );
}

/**
 * The merged page of the cells that answered this query (a cell still showing its answer
 * to the previous query counts as being asked), or, right after the query changed and
 * before any cell answered it, the previous merged page. Null before any answer.
 */
function mergeParts(parts: CellPart<InstanceListPage>[], input: ReturnType<typeof toListInput>, frameAsOf: Date) {
  const current = parts.filter((p) => p.data && !p.placeholder);
  const shown = current.length > 0 ? current : parts.filter((p) => p.data);
  if (shown.length === 0 && parts.length > 0) return null;
  const pending = parts.filter((p) => !shown.includes(p) && !(p.error && !p.data)).map((p) => p.cell);
  const page = mergeCellPages(
    shown.map((p) => p.data!),
    { ...mergeSpec(input), asOf: frameAsOf },
  );
  return { page, pending };
}

type Params = InstancesParams;
type FilterValues = Pick<Params, 'project' | 'vm_state' | 'host' | 'name'>;

function Filters({ params, onApply }: { params: Params; onApply: (f: FilterValues) => void }) {
  const [f, setF] = useState<FilterValues>({ project: params.project, vm_state: params.vm_state, host: params.host, name: params.name });
  useEffect(
    () => setF({ project: params.project, vm_state: params.vm_state, host: params.host, name: params.name }),
    [params.project, params.vm_state, params.host, params.name],
  );
  const text = (key: 'project' | 'host' | 'name', label: string, placeholder: string) => (
    <TextField label={label} placeholder={placeholder} value={f[key] ?? ''} onChange={(e) => setF({ ...f, [key]: e.target.value || null })} />
  );
  return (
    <form
      role="search"
      aria-label="Filter instances"
      className="mb-3 flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ project: f.project?.trim() || null, vm_state: f.vm_state, host: f.host?.trim() || null, name: f.name?.trim() || null });
      }}
    >
      {text('project', 'Project', 'project id')}
      <SelectField
        label="VM state"
        value={f.vm_state ?? ''}
        onChange={(e) => setF({ ...f, vm_state: (e.target.value || null) as FilterValues['vm_state'] })}
        options={[{ value: '', label: 'any' }, ...VM_STATES.filter((s) => s !== 'deleted')]}
      />
      {text('host', 'Host', 'compute host')}
      {text('name', 'Name contains', 'part of the name')}
      <Button type="submit" variant="primary">
        Apply filters
      </Button>
      <Button onClick={() => onApply({ project: null, vm_state: null, host: null, name: null })}>Clear filters</Button>
    </form>
  );
}

/** One page of the merged list: the UNKNOWN rows of the cells that did not answer first, then the rows. */
function Results({ page }: { page: InstanceListPage }) {
  const multiCell = page.total > 1;
  return (
    <>
      {page.endedEarly ? (
        <p
          role="note"
          className="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          A cell stopped answering while this page was read, so the page ends early at its last complete row. The next page continues from there.
        </p>
      ) : null}
      <Table
        label="Instances"
        head={
          <>
            <Th>Name</Th>
            <Th>UUID</Th>
            {multiCell ? <Th>Cell</Th> : null}
            <Th>Status</Th>
            <Th>Flavor</Th>
            <Th>Host</Th>
            <Th>Project</Th>
            <Th>Age</Th>
          </>
        }
      >
        {page.unknown.map((r) => (
          <UnknownRow key={`u-${r.uuid}`} r={r} multiCell={multiCell} />
        ))}
        {page.rows.map((r) => (
          <Row key={r.uuid} r={r} multiCell={multiCell} />
        ))}
      </Table>
    </>
  );
}

function noticeText(d: InstanceListPage['down'][number]): string {
  if (d.onRefill) return `${d.message}. It answered the first batch, then stopped; the page ends at its last complete row.`;
  const n = d.mappedInstances ?? 0;
  const last = d.lastKnown
    ? ` When it last answered it had ${d.lastKnown.value.liveInstances} live instance${d.lastKnown.value.liveInstances === 1 ? '' : 's'} (stale, as of ${utcString(d.lastKnown.observedAt)}).`
    : '';
  const mapped = `${n} instance${n === 1 ? '' : 's'} mapped to it in the api database`;
  if (d.unknownOmittedByFilters) return `${d.message}. ${mapped}; they cannot be checked against these filters without the cell, so none is shown.${last}`;
  return `${d.message}. ${mapped}, listed first with status UNKNOWN on the first page.${last}`;
}

function CellCell({ cell }: { cell: { uuid: string; name: string | null } }) {
  return (
    <Td className="whitespace-nowrap">
      <CellLink cell={cell} />
    </Td>
  );
}

function Row({ r, multiCell }: { r: InstanceRow; multiCell: boolean }) {
  return (
    <tr data-instance-uuid={r.uuid}>
      <Td className="whitespace-nowrap font-medium">{r.name ?? <span className="italic text-zinc-500">(no name)</span>}</Td>
      <Td className="whitespace-nowrap font-mono text-xs">
        <Link href={`/instances?lookup=${r.uuid}`} className="hover:underline">
          {r.uuid}
        </Link>
        <CopyButton value={r.uuid} label={`Copy uuid of ${r.name ?? r.uuid}`} />
      </Td>
      {multiCell ? <CellCell cell={r.cell} /> : null}
      <Td>
        <span title={`vm_state ${r.vmState ?? 'none'}${r.taskState ? `, task_state ${r.taskState}` : ''}`}>
          <StatusBadge status={r.status} />
        </span>
      </Td>
      <Td>{r.flavor ?? <span className="text-zinc-500">—</span>}</Td>
      <Td className="text-xs">{r.host ?? <span className="text-zinc-500">—</span>}</Td>
      <Td className="max-w-40 truncate font-mono text-xs">
        <span title={r.projectId ?? undefined}>{r.projectId ?? '—'}</span>
      </Td>
      <Td className="whitespace-nowrap">{r.createdAt ? <Time value={r.createdAt} /> : '—'}</Td>
    </tr>
  );
}

function UnknownRow({ r, multiCell }: { r: UnknownInstanceRow; multiCell: boolean }) {
  const cell = cellLabel(r.cell);
  return (
    <tr
      data-instance-uuid={r.uuid}
      title={`Cell ${cell} did not answer: listed from its instance mapping in the api database`}
      className="bg-amber-50/60 dark:bg-amber-950/40"
    >
      <Td className="whitespace-nowrap">
        <span className="italic text-zinc-500">not answering</span>
      </Td>
      <Td className="whitespace-nowrap font-mono text-xs">
        {r.uuid}
        <CopyButton value={r.uuid} label={`Copy uuid ${r.uuid}`} />
      </Td>
      {multiCell ? <CellCell cell={r.cell} /> : null}
      <Td>
        <StatusBadge status={r.status} />
      </Td>
      <Td className="text-zinc-500">—</Td>
      <Td className="text-zinc-500">—</Td>
      <Td className="max-w-40 truncate font-mono text-xs">
        <span title={r.projectId}>{r.projectId}</span>
      </Td>
      <Td className="whitespace-nowrap">{r.createdAt ? <Time value={r.createdAt} /> : '—'}</Td>
    </tr>
  );
}

function Pager({ page, params }: { page: InstanceListPage; params: Params }) {
  if (!params.marker && !page.nextMarker) return null;
  const link = 'rounded border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800';
  return (
    <nav aria-label="Pagination" className="mt-3 flex items-center gap-3 text-sm">
      {params.marker ? (
        <Link href={`/instances${serializeInstancesSearchParams({ ...params, marker: null })}`} className={link}>
          First page
        </Link>
      ) : null}
      <span className="text-zinc-500">
        {page.rows.length} instance{page.rows.length === 1 ? '' : 's'} on this page
        {page.unknown.length ? `, after ${page.unknown.length} UNKNOWN from cells that did not answer` : ''}
      </span>
      {page.nextMarker ? (
        <Link href={`/instances${serializeInstancesSearchParams({ ...params, marker: page.nextMarker })}`} className={link}>
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
