'use client';

import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useQueryStates } from 'nuqs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { CellsAnswered } from '../../_components/cell-notices';
import { type DataColumn, TablePager } from '../../_components/data-table';
import { DataTable } from '../../_components/data-table';
import { SelectField, TextField } from '../../_components/fields';
import { KeyValueSearch } from '../../_components/key-value-search';
import { CellLink } from '../../_components/links';
import { type CellPart, FRAME_INPUT, retryCell, useCellsFrame, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { Time, utcString } from '../../_components/time';
import { Button, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { type CellMappingRow, type CellSummary, cellLabel, type DownCell } from '@/server/cells/contract';
import {
  type InstanceListPage,
  type InstanceRow,
  mergeCellPages,
  statusSearchHelp,
  type UnknownInstanceRow,
  VM_STATES,
  vmStateForStatus,
} from '@/server/instances/contract';
import { LookupBox } from './lookup-box';
import { StatusBadge } from './status-badge';
import {
  cellRef,
  type InstancesParams,
  instancesSearchParams,
  mergeSpec,
  PAGE_SIZES,
  resolveCell,
  serializeInstancesSearchParams,
  sortOf,
  toListInput,
} from './search-params';

/** A row of the table: an instance a cell answered with, or one of a down cell's, known only from its mapping. */
type ListRow = ({ kind: 'live' } & InstanceRow) | ({ kind: 'unknown' } & UnknownInstanceRow);

// One empty list, not a new one each render: the filter fields follow the frame.
const NO_CELLS: CellMappingRow[] = [];

const live = (r: ListRow): InstanceRow | null => (r.kind === 'live' ? r : null);

export function InstancesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [params, setParams] = useQueryStates(instancesSearchParams, { history: 'push' });
  const refresh = useAutoRefresh();
  const input = toListInput(params);
  // Every cell is asked on its own and the pages are merged here as they answer
  // (mergeCellPages, the server's own order): a slow cell holds up only its rows.
  const frame = useCellsFrame({ refetchInterval: refresh.interval });
  const allCells = frame.data?.frame ?? NO_CELLS;
  const chosen = resolveCell(allCells, params.cell);
  const cells = chosen.cells;
  const parts = usePerCell<InstanceListPage>(cells, (c) =>
    trpc.instances.list.queryOptions({ ...input, cellUuids: [c.uuid] }, { placeholderData: keepPreviousData, retry: false, refetchInterval: refresh.interval }),
  );
  const merged0 = frame.data ? mergeParts(parts, input, frame.data.asOf) : null;
  // Cells answering within a moment of each other show together; a slow one waits alone.
  const hold = useGrace(merged0 ? parts.length - merged0.pending.length : 0, merged0?.pending.length ?? 0);
  // Meanwhile the page shown last stays (as keepPreviousData would), or "Loading…".
  const shownLast = useRef<typeof merged0>(null);
  if (!hold && merged0) shownLast.current = merged0;
  const merged = hold ? shownLast.current : merged0;
  const page = merged?.page;
  const filtered = Boolean(input.projectId || input.vmState || input.host || input.name || params.cell);
  const retry = retryCell([parts]);
  const fetching = frame.isFetching || parts.some((p) => p.fetching);
  // A marker that no cell can resolve fails every cell's call the same way: the page's error.
  const failed = parts.length > 0 && parts.every((p) => p.error) ? parts[0]!.error : null;
  const errored: DownCell[] = parts.filter((p) => p.error && !p.data).map((p) => ({ ...p.cell, reason: 'error', message: p.error!.message, elapsedMs: 0 }));

  // Back at the start of the list (a previous page with nothing before it): the first page
  // itself, the one that also lists a down cell's UNKNOWN rows.
  const atStart = Boolean(params.before && merged?.settled && page && page.prevMarker === null && !failed);
  useEffect(() => {
    if (atStart) void setParams({ before: null, marker: null }, { history: 'replace' });
  }, [atStart, setParams]);

  return (
    <div>
      <PageHeader
        title="Instances"
        description="Every cell, cell0 included, merged into one list. A cell that does not answer still shows what the api database knows of its instances."
      >
        {page && merged ? <CellsAnswered answered={page.answered} total={cells.length} asOf={page.asOf} asking={merged.pending.length} /> : null}
        <AutoRefreshControl state={refresh} asOf={page?.asOf} />
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

      <LookupBox frame={frame.data?.frame ?? null} refresh={refresh} />

      <section aria-labelledby="list-heading">
        <h2 id="list-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-zinc-500">
          All instances
        </h2>
        <Search params={params} frame={allCells} onApply={(f) => void setParams({ ...f, marker: null, before: null })} />
        <Filters params={params} frame={allCells} onApply={(f) => void setParams({ ...f, marker: null, before: null })} />

        {chosen.unknown && frame.data ? (
          <p
            role="alert"
            className="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
          >
            No cell is named &ldquo;{params.cell}&rdquo; or has that uuid; the cells are {allCells.map(cellLabel).join(', ') || 'none yet'}.
          </p>
        ) : (
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
              params.marker || params.before ? (
                <Link
                  href={`/instances${serializeInstancesSearchParams({ ...params, marker: null, before: null })}`}
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
          >
            {(p) => (
              <Results
                page={p}
                multiCell={cells.length > 1}
                empty={
                  filtered
                    ? 'No instances match these filters in the cells that answered.'
                    : cells.length === 0
                      ? 'No cells are mapped yet, so there are no instances to list.'
                      : params.marker || params.before
                        ? 'No more instances after this page.'
                        : 'No instances in any cell that answered.'
                }
                notAnswered={[...p.down, ...errored]}
                pending={merged!.pending}
              />
            )}
          </QueryState>
        )}
        {page && !failed && !chosen.unknown ? (
          <Pager page={page} params={params} settled={merged?.settled ?? false} onSize={(limit) => void setParams({ limit, marker: null, before: null })} />
        ) : null}
      </section>
    </div>
  );
}

/**
 * The merged page of the cells that answered this query (a cell still showing its answer
 * to the previous query counts as being asked), or, right after the query changed and
 * before any cell answered it, the previous merged page. Null before any answer.
 * `settled`: every cell has answered this very query (or failed), so the page and its
 * markers are final.
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
  const settled = parts.every((p) => (p.data && !p.placeholder) || (p.error && !p.data));
  return { page, pending, settled };
}

type Params = InstancesParams;
type FilterValues = Pick<Params, 'cell' | 'project' | 'vm_state' | 'host' | 'name'>;

const SEARCH_KEYS = [
  { key: 'cell', help: 'a cell by name or uuid' },
  { key: 'project', help: 'project id' },
  { key: 'host', help: 'compute host' },
  { key: 'status', help: 'ERROR, SHUTOFF, ACTIVE… or a vm_state' },
  { key: 'name', help: 'part of the name' },
] as const;

/** The key:value box: the same URL state as the fields below it, a cell named by its name or uuid, a status by nova's word. */
function Search({ params, frame, onApply }: { params: Params; frame: readonly CellMappingRow[]; onApply: (f: FilterValues) => void }) {
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a refused cell or status is forgotten once the URL's filters change.
  useEffect(() => setError(null), [params.cell, params.vm_state]);
  return (
    <div>
      <KeyValueSearch
        label="Search instances"
        keys={SEARCH_KEYS}
        fields={{ cell: params.cell, project: params.project, host: params.host, status: params.vm_state, name: params.name }}
        free={null}
        freeHelp="the name contains it"
        onSearch={({ fields, free }) => {
          let cell: string | null = null;
          if (fields.cell) {
            const found = resolveCell(frame, fields.cell);
            if (found.unknown) {
              setError(`No cell is named "${fields.cell}" or has that uuid; the cells are ${frame.map(cellLabel).join(', ') || 'none yet'}.`);
              return;
            }
            cell = found.cells.length === 1 ? cellRef(frame, found.cells[0]!) : fields.cell;
          }
          let vmState: FilterValues['vm_state'] = null;
          if (fields.status) {
            vmState = vmStateForStatus(fields.status) as FilterValues['vm_state'];
            if (!vmState) {
              setError(`"status:${fields.status}" is not a status this list filters by; use one of ${statusSearchHelp()}.`);
              return;
            }
          }
          setError(null);
          const name = [fields.name, free].filter(Boolean).join(' ');
          onApply({ cell, project: fields.project ?? null, host: fields.host ?? null, vm_state: vmState, name: name || null });
        }}
      />
      {error ? (
        <p role="alert" className="-mt-2 mb-3 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Filters({ params, frame, onApply }: { params: Params; frame: readonly CellMappingRow[]; onApply: (f: FilterValues) => void }) {
  const fromUrl = (): FilterValues => {
    const found = resolveCell(frame, params.cell);
    const cell = params.cell && found.cells.length === 1 ? cellRef(frame, found.cells[0]!) : params.cell;
    return { cell, project: params.project, vm_state: params.vm_state, host: params.host, name: params.name };
  };
  const [f, setF] = useState<FilterValues>(fromUrl);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the fields follow the URL (and the frame naming its cell), not each render.
  useEffect(() => setF(fromUrl()), [params.cell, params.project, params.vm_state, params.host, params.name, frame]);
  const text = (key: 'project' | 'host' | 'name', label: string, placeholder: string) => (
    <TextField label={label} placeholder={placeholder} value={f[key] ?? ''} onChange={(e) => setF({ ...f, [key]: e.target.value || null })} />
  );
  const cellOptions = frame.map((c) => ({ value: cellRef(frame, c), label: cellLabel(c) }));
  if (f.cell && !cellOptions.some((o) => o.value === f.cell)) cellOptions.push({ value: f.cell, label: `${f.cell} (no such cell)` });
  return (
    <form
      role="search"
      aria-label="Filter instances"
      className="mb-3 flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ cell: f.cell, project: f.project?.trim() || null, vm_state: f.vm_state, host: f.host?.trim() || null, name: f.name?.trim() || null });
      }}
    >
      <SelectField
        label="Cell"
        value={f.cell ?? ''}
        onChange={(e) => setF({ ...f, cell: e.target.value || null })}
        options={[{ value: '', label: 'every cell' }, ...cellOptions]}
      />
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
      <Button onClick={() => onApply({ cell: null, project: null, vm_state: null, host: null, name: null })}>Clear filters</Button>
    </form>
  );
}

const dash = <span className="text-zinc-500">—</span>;

function columns(multiCell: boolean): DataColumn<ListRow>[] {
  const all: (DataColumn<ListRow> | null)[] = [
    {
      id: 'display_name',
      header: 'Name',
      sort: 'server',
      firstDir: 'asc',
      rowHeader: true,
      className: 'whitespace-nowrap',
      value: (r) => live(r)?.name ?? null,
      cell: (r) =>
        r.kind === 'unknown' ? (
          <span
            className="font-normal italic text-zinc-500"
            title={`Cell ${cellLabel(r.cell)} did not answer: listed from its instance mapping in the api database`}
          >
            not answering
          </span>
        ) : (
          (r.name ?? <span className="font-normal italic text-zinc-500">(no name)</span>)
        ),
    },
    {
      id: 'uuid',
      header: 'UUID',
      always: true,
      copy: true,
      className: 'whitespace-nowrap font-mono text-xs',
      value: (r) => r.uuid,
      cell: (r) =>
        r.kind === 'live' ? (
          <Link href={`/instances?lookup=${r.uuid}`} className="hover:underline" data-instance-uuid={r.uuid}>
            {r.uuid}
          </Link>
        ) : (
          <span data-instance-uuid={r.uuid}>{r.uuid}</span>
        ),
    },
    multiCell ? { id: 'cell', header: 'Cell', className: 'whitespace-nowrap', value: (r) => cellLabel(r.cell), cell: (r) => <CellLink cell={r.cell} /> } : null,
    {
      id: 'status',
      header: 'Status',
      value: (r) => r.status,
      cell: (r) =>
        r.kind === 'live' ? (
          <span title={`vm_state ${r.vmState ?? 'none'}${r.taskState ? `, task_state ${r.taskState}` : ''}`}>
            <StatusBadge status={r.status} />
          </span>
        ) : (
          <StatusBadge status={r.status} />
        ),
    },
    { id: 'vm_state', header: 'VM state', hiddenByDefault: true, value: (r) => live(r)?.vmState ?? null },
    { id: 'task_state', header: 'Task state', hiddenByDefault: true, value: (r) => live(r)?.taskState ?? null },
    { id: 'flavor', header: 'Flavor', value: (r) => live(r)?.flavor ?? null, cell: (r) => live(r)?.flavor ?? dash },
    { id: 'host', header: 'Host', className: 'text-xs', value: (r) => live(r)?.host ?? null, cell: (r) => live(r)?.host ?? dash },
    { id: 'node', header: 'Node', hiddenByDefault: true, className: 'text-xs', value: (r) => live(r)?.node ?? null },
    {
      id: 'project',
      header: 'Project',
      className: 'max-w-40 truncate font-mono text-xs',
      value: (r) => r.projectId,
      cell: (r) => <span title={r.projectId ?? undefined}>{r.projectId ?? '—'}</span>,
    },
    { id: 'user', header: 'User', hiddenByDefault: true, className: 'font-mono text-xs', value: (r) => r.userId },
    { id: 'availability_zone', header: 'Availability zone', hiddenByDefault: true, value: (r) => live(r)?.availabilityZone ?? null },
    {
      id: 'created_at',
      header: 'Created',
      sort: 'server',
      firstDir: 'desc',
      className: 'whitespace-nowrap',
      value: (r) => r.createdAt,
      cell: (r) => (r.createdAt ? <Time value={r.createdAt} /> : '—'),
    },
    {
      id: 'updated_at',
      header: 'Updated',
      sort: 'server',
      firstDir: 'desc',
      className: 'whitespace-nowrap',
      value: (r) => live(r)?.updatedAt ?? null,
      cell: (r) => {
        const at = live(r)?.updatedAt;
        return at ? <Time value={at} /> : '—';
      },
    },
    { id: 'launched_at', header: 'Launched', hiddenByDefault: true, className: 'whitespace-nowrap', value: (r) => live(r)?.launchedAt ?? null },
  ];
  return all.filter((c): c is DataColumn<ListRow> => c !== null);
}

/** One page of the merged list: the UNKNOWN rows of the cells that did not answer first, then the rows. */
function Results({
  page,
  multiCell,
  empty,
  notAnswered,
  pending,
}: {
  page: InstanceListPage;
  multiCell: boolean;
  empty: string;
  notAnswered: readonly DownCell[];
  pending: readonly CellSummary[];
}) {
  const [params, setParams] = useQueryStates(instancesSearchParams, { history: 'push' });
  const cols = useMemo(() => columns(multiCell), [multiCell]);
  const rows = useMemo<ListRow[]>(() => page.rows.map((r) => ({ kind: 'live', ...r })), [page.rows]);
  const unknown = useMemo<ListRow[]>(() => page.unknown.map((r) => ({ kind: 'unknown', ...r })), [page.unknown]);
  const sort = sortOf(params);
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
      <DataTable<ListRow>
        label="Instances"
        columns={cols}
        rows={rows}
        leadingRows={unknown}
        rowKey={(r) => `${r.kind}-${r.uuid}`}
        rowClassName={(r) => (r.kind === 'unknown' ? 'bg-amber-50/60 dark:bg-amber-950/40' : undefined)}
        // The server's order when the URL names none (newest first), shown on its header.
        defaultSort={{ id: sort.key, dir: sort.dir }}
        // A new order starts from its first page: a marker is a position in the old one.
        onSortChange={() => void setParams({ marker: null, before: null })}
        notAnswered={notAnswered}
        pending={pending}
        empty={empty}
      />
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

/** Previous and next by keyset markers (before the first row, after the last), and the page size; the other keys of the URL kept. */
function Pager({ page, params, settled, onSize }: { page: InstanceListPage; params: Params; settled: boolean; onSize: (n: number) => void }) {
  const search = useSearchParams();
  const base = search ? `?${search.toString()}` : '';
  const href = (to: Partial<Params>) => {
    const qs = serializeInstancesSearchParams(base, to);
    return `/instances${qs === '?' ? '' : qs}`;
  };
  const later = Boolean(params.marker || params.before);
  // The markers are final only when every cell has answered: a late cell may own the first or the last row.
  const prev = !settled || !later ? null : { href: page.prevMarker ? href({ before: page.prevMarker, marker: null }) : href({ before: null, marker: null }) };
  const next = settled && page.nextMarker ? { href: href({ marker: page.nextMarker, before: null }) } : null;
  return (
    <TablePager
      label="Instances"
      size={page.limit}
      sizes={[...new Set([...PAGE_SIZES, page.limit])].sort((a, b) => a - b)}
      onSize={onSize}
      prev={prev}
      next={next}
      summary={
        <>
          {page.rows.length} instance{page.rows.length === 1 ? '' : 's'} on this page
          {page.unknown.length ? `, after ${page.unknown.length} UNKNOWN from cells that did not answer` : ''}
          {later ? (
            <>
              {' · '}
              <Link href={href({ marker: null, before: null })} className="text-sky-700 underline dark:text-sky-400">
                First page
              </Link>
            </>
          ) : null}
        </>
      }
    />
  );
}
