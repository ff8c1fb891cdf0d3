'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useEffect, useMemo, useState } from 'react';
import { type AutoRefresh, AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { CellNotices } from '../../_components/cell-notices';
import { type DataColumn, DataTable, TablePager } from '../../_components/data-table';
import { KeyValueSearch } from '../../_components/key-value-search';
import { TextField } from '../../_components/fields';
import { QueryState } from '../../_components/query-state';
import { StaleMark } from '../../_components/stale';
import { useHasRole } from '../../_components/require-role';
import { ClockTime, Time } from '../../_components/time';
import { Button, EmptyBox, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { DownCell, LastKnown } from '@/server/cells/contract';
import {
  type Breakdown,
  bucketLabel,
  bucketTitle,
  type Cell0Counts,
  type Cell0Instance,
  type DeleteCell0Result,
  type FaultGroup,
  type FaultTrend,
  type FaultTrendGroup,
  type FaultTrendResult,
  isNoValidHost,
  UNKNOWN_FLAVOR,
  windowLabel,
} from '@/server/triage/contract';
import { Sparkline } from '../../_components/charts/sparkline';
import { WindowSwitch } from '../../_components/charts/window-switch';
import { flavorCapacityHref } from '../overview/search-params';
import { type DeleteTarget, DeleteInstancesDialog, describeDeleteResult } from './delete-instances';
import { FaultText } from './fault-text';
import { CELL0_PAGE_SIZES, type Cell0Search, cell0Filters, cell0ListInput, cell0SearchParams, cell0Sort, DEFAULT_CELL0_SORT } from './search-params';

type SetSearch = ReturnType<typeof useQueryStates<typeof cell0SearchParams>>[1];

export function Cell0View() {
  const [search, setSearch] = useQueryStates(cell0SearchParams);
  const [result, setResult] = useState<DeleteCell0Result | null>(null);

  return (
    <div>
      <PageHeader
        title="cell0"
        description="Boots that found no home: nova buried them in cell0 with the fault that stopped them. Delete is the only action nova allows on them."
      >
        <div role="group" aria-label="View" className="inline-flex overflow-hidden rounded border border-zinc-300 dark:border-zinc-700">
          {(
            [
              ['list', 'Instances'],
              ['groups', 'Grouped by fault'],
            ] as const
          ).map(([view, label]) => (
            <button
              key={view}
              type="button"
              aria-pressed={search.view === view}
              onClick={() => void setSearch({ view, marker: '', back: false })}
              className={`px-3 py-1 text-sm ${search.view === view ? 'bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}
            >
              {label}
            </button>
          ))}
        </div>
      </PageHeader>

      <Filters key={`${search.fault}\u0000${search.flavor}\u0000${search.project}`} search={search} setSearch={setSearch} />

      {result ? (
        <div
          role="status"
          className="mb-4 flex items-start justify-between gap-3 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
        >
          <span>{describeDeleteResult(result)}</span>
          <button type="button" aria-label="Dismiss" className="text-xs underline" onClick={() => setResult(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      {search.view === 'groups' ? (
        <GroupsView search={search} setSearch={setSearch} />
      ) : (
        <ListView search={search} setSearch={setSearch} onDeleted={setResult} />
      )}
    </div>
  );
}

/** Filters apply on Enter or "Apply", not per keystroke; the search box above them (`/` focuses it) sets the same state. */
function Filters({ search, setSearch }: { search: Cell0Search; setSearch: SetSearch }) {
  const [fault, setFault] = useState(search.fault);
  const [flavor, setFlavor] = useState(search.flavor);
  const [project, setProject] = useState(search.project);
  return (
    <>
      <KeyValueSearch
        label="Search cell0"
        keys={CELL0_SEARCH_KEYS}
        fields={{ fault: search.fault, flavor: search.flavor, project: search.project, group: search.group }}
        free={null}
        onSearch={({ fields }) =>
          void setSearch({
            fault: fields.fault ?? '',
            flavor: fields.flavor ?? '',
            project: fields.project ?? '',
            group: fields.group ?? '',
            marker: '',
            back: false,
          })
        }
      />
      <form
        role="search"
        aria-label="Filter cell0 instances"
        className="mb-4 flex flex-wrap items-end gap-3 rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          void setSearch({ fault: fault.trim(), flavor: flavor.trim(), project: project.trim(), marker: '', back: false });
        }}
      >
        <TextField label="Fault text" value={fault} onChange={(e) => setFault(e.target.value)} placeholder="e.g. No valid host" controlClassName="w-56" />
        <TextField label="Flavor" value={flavor} onChange={(e) => setFlavor(e.target.value)} placeholder="e.g. m1.xlarge" controlClassName="w-56" />
        <TextField label="Project" value={project} onChange={(e) => setProject(e.target.value)} placeholder="project id" controlClassName="w-56 font-mono" />
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        {search.fault || search.flavor || search.project || search.group ? (
          <Button onClick={() => void setSearch({ fault: '', flavor: '', project: '', group: '', marker: '', back: false })}>Clear filters</Button>
        ) : null}
        {search.group ? (
          <p className="w-full text-sm">
            Fault group: <span className="rounded bg-red-50 px-1.5 py-0.5 font-medium text-red-900 dark:bg-red-950 dark:text-red-200">{search.group}</span>{' '}
            <button type="button" className="text-xs underline" onClick={() => void setSearch({ group: '', marker: '', back: false })}>
              Clear fault group
            </button>
          </p>
        ) : null}
      </form>
    </>
  );
}

/** What the cell0 search box takes: the fields below it, and the fault group. */
const CELL0_SEARCH_KEYS = [
  { key: 'fault', help: 'fault text contains' },
  { key: 'flavor', help: 'flavor name' },
  { key: 'project', help: 'project id' },
  { key: 'group', help: 'a fault group, as the groups view names it' },
] as const;

function DownNotice({
  down,
  unknownCount,
  lastKnown,
  onRetry,
  retrying,
}: {
  down: DownCell[];
  unknownCount: number;
  lastKnown: LastKnown<Cell0Counts> | null;
  onRetry: () => void;
  retrying: boolean;
}) {
  return (
    <>
      <CellNotices down={down} answered={0} total={1} onRetry={onRetry} retrying={() => retrying} />
      <EmptyBox>
        cell0 did not answer, so its instances and faults cannot be shown now. The api database maps{' '}
        <strong>
          {unknownCount} instance{unknownCount === 1 ? '' : 's'}
        </strong>{' '}
        to cell0 that are not queued for delete (status UNKNOWN until it answers).
        {lastKnown ? (
          <span className="mt-2 block" data-last-known="">
            When it last answered it held {lastKnown.value.instances} live instance{lastKnown.value.instances === 1 ? '' : 's'} in {lastKnown.value.groups}{' '}
            fault group{lastKnown.value.groups === 1 ? '' : 's'}
            {lastKnown.value.top.length > 0 ? `, the largest ${lastKnown.value.top.map((g) => `“${g.key}” (${g.count})`).join(', ')}` : ''}{' '}
            <StaleMark at={lastKnown.observedAt} />.
          </span>
        ) : null}
      </EmptyBox>
    </>
  );
}

const UNMAPPED = (
  <EmptyBox>
    cell0 is not mapped yet, so there is nowhere for failed boots to go: nova leaves them as build requests. Map it with <code>cellar map_cell0</code> or{' '}
    <code>cellar simple_cell_setup</code>.
  </EmptyBox>
);

function exportHref(format: 'csv' | 'json', search: Cell0Search, uuids: string[]): string {
  const p = new URLSearchParams({ format });
  if (uuids.length) for (const u of uuids) p.append('uuid', u);
  else {
    const f = cell0Filters(search);
    for (const [k, v] of Object.entries({ ...f, group: search.group || undefined })) if (v) p.set(k, v);
    p.set('sort', cell0Sort(search));
  }
  return `/api/cell0/export?${p.toString()}`;
}

function ListView({ search, setSearch, onDeleted }: { search: Cell0Search; setSearch: SetSearch; onDeleted: (r: DeleteCell0Result) => void }) {
  const trpc = useTRPC();
  const input = cell0ListInput(search);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [targets, setTargets] = useState<DeleteTarget[]>([]);
  // Rows do not move under a selection or an open confirmation.
  const refresh = useAutoRefresh({ selecting: selected.size > 0 || targets.length > 0 });
  const q = useQuery(trpc.triage.cell0.list.queryOptions(input, { placeholderData: (prev) => prev, refetchInterval: refresh.interval }));
  const rows = useMemo(() => (q.data?.state === 'up' ? q.data.data.rows : []), [q.data]);
  const pageKey = rows.map((r) => r.uuid).join(',');
  useEffect(() => {
    // A selection only ever holds rows that are on screen.
    setSelected((s) => {
      const visible = new Set(pageKey.split(','));
      const kept = [...s].filter((u) => visible.has(u));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [pageKey]);

  return (
    <QueryState
      query={q}
      what="cell0 instances"
      errorTitle="Could not list cell0"
      errorActions={search.marker ? <Button onClick={() => void setSearch({ marker: '', back: false })}>Back to the first page</Button> : null}
    >
      {(data) =>
        data.state === 'unmapped' ? (
          UNMAPPED
        ) : data.state === 'down' ? (
          <DownNotice down={data.down} unknownCount={data.unknownCount} lastKnown={data.lastKnown} onRetry={() => void q.refetch()} retrying={q.isFetching} />
        ) : (
          <Cell0List
            page={data.data}
            asOf={data.asOf}
            rows={rows}
            search={search}
            setSearch={setSearch}
            selected={selected}
            setSelected={setSelected}
            targets={targets}
            setTargets={setTargets}
            refresh={{ run: () => void q.refetch(), busy: q.isFetching, auto: refresh }}
            onDeleted={onDeleted}
          />
        )
      }
    </QueryState>
  );
}

function Cell0List({
  page,
  asOf,
  rows,
  search,
  setSearch,
  selected,
  setSelected,
  targets,
  setTargets,
  refresh,
  onDeleted,
}: {
  page: { nextMarker: string | null; prevMarker: string | null };
  asOf: Date;
  rows: Cell0Instance[];
  search: Cell0Search;
  setSearch: SetSearch;
  selected: Set<string>;
  setSelected: React.Dispatch<React.SetStateAction<Set<string>>>;
  targets: DeleteTarget[];
  setTargets: (t: DeleteTarget[]) => void;
  refresh: { run: () => void; busy: boolean; auto: AutoRefresh };
  onDeleted: (r: DeleteCell0Result) => void;
}) {
  // Deleting and exporting the fault evidence are support's (the server refuses others regardless).
  const canDelete = useHasRole('support');
  const input = cell0ListInput(search);
  const filtered = Boolean(input.fault || input.flavor || input.project || input.group);
  const chosen = rows.filter((r) => selected.has(r.uuid));
  const toggle = (uuid: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(uuid);
      else next.delete(uuid);
      return next;
    });
  const allOnPage = rows.length > 0 && chosen.length === rows.length;
  const columns = cell0Columns({
    canDelete,
    allOnPage,
    selectAll: (on) => setSelected(on ? new Set(rows.map((r) => r.uuid)) : new Set()),
    isSelected: (uuid) => selected.has(uuid),
    toggle,
    onDelete: (r) => setTargets([{ uuid: r.uuid, name: r.name }]),
    onProject: (project) => void setSearch({ project, marker: '', back: false }),
  });

  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-3 text-sm">
        <span role="status" aria-live="polite" className="text-zinc-600 dark:text-zinc-400">
          {rows.length === 0 ? 'No instances' : `${rows.length} instance${rows.length === 1 ? '' : 's'} on this page`}
          {search.marker ? ' (not the first page)' : ''}
        </span>
        <div className="flex flex-wrap items-center gap-2">
          <AutoRefreshControl state={refresh.auto} asOf={asOf} />
          <Button onClick={refresh.run} disabled={refresh.busy}>
            {refresh.busy ? 'Refreshing…' : 'Refresh'}
          </Button>
        </div>
      </div>

      {canDelete ? (
        <div role="toolbar" aria-label="Selection" className="mb-2 flex flex-wrap items-center gap-2 text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">{chosen.length} selected</span>
          <Button variant="danger" disabled={chosen.length === 0} onClick={() => setTargets(chosen.map((r) => ({ uuid: r.uuid, name: r.name })))}>
            Delete selected…
          </Button>
          <span className="ml-2 text-zinc-600 dark:text-zinc-400">
            Export {chosen.length ? 'the selection' : 'this view'}'s fault evidence (with tracebacks):
          </span>
          <a
            className="rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            href={exportHref(
              'csv',
              search,
              chosen.map((r) => r.uuid),
            )}
            download
          >
            CSV
          </a>
          <a
            className="rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            href={exportHref(
              'json',
              search,
              chosen.map((r) => r.uuid),
            )}
            download
          >
            JSON
          </a>
        </div>
      ) : (
        <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">Deleting cell0 instances and exporting their tracebacks need the support role.</p>
      )}

      <DataTable
        label="cell0 instances"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.uuid}
        rowData={(r) => ({ 'data-uuid': r.uuid })}
        rowClassName={(r) => (selected.has(r.uuid) ? 'bg-sky-50 dark:bg-sky-950' : undefined)}
        defaultSort={DEFAULT_CELL0_SORT}
        // A new order starts again from the first page: a marker holds its place in one order only.
        onSortChange={() => void setSearch({ marker: '', back: false })}
        empty={
          filtered
            ? 'No cell0 instance matches these filters.'
            : search.marker
              ? 'No more instances this way.'
              : 'No errored instances in cell0: every boot found a home.'
        }
      />
      <TablePager
        label="cell0 instances"
        size={input.limit}
        sizes={CELL0_PAGE_SIZES}
        onSize={(size) => void setSearch({ size, marker: '', back: false })}
        prev={page.prevMarker ? { onClick: () => void setSearch({ marker: page.prevMarker!, back: true }) } : null}
        next={page.nextMarker ? { onClick: () => void setSearch({ marker: page.nextMarker!, back: false }) } : null}
        summary={
          search.marker ? (
            <button type="button" className="underline" onClick={() => void setSearch({ marker: '', back: false })}>
              First page
            </button>
          ) : null
        }
      />

      <DeleteInstancesDialog
        targets={targets}
        onClose={() => setTargets([])}
        onDeleted={(r) => {
          setTargets([]);
          setSelected(new Set());
          onDeleted(r);
        }}
      />
    </div>
  );
}

/** cell0's columns: sorted by Age on the server (the list pages through cell0 by keyset); the rest are the page's rows as cell0 gave them. */
function cell0Columns({
  canDelete,
  allOnPage,
  selectAll,
  isSelected,
  toggle,
  onDelete,
  onProject,
}: {
  canDelete: boolean;
  allOnPage: boolean;
  selectAll: (on: boolean) => void;
  isSelected: (uuid: string) => boolean;
  toggle: (uuid: string, on: boolean) => void;
  onDelete: (r: Cell0Instance) => void;
  onProject: (project: string) => void;
}): DataColumn<Cell0Instance>[] {
  const label = (r: Cell0Instance) => r.name ?? r.uuid;
  const select: DataColumn<Cell0Instance>[] = canDelete
    ? [
        {
          id: 'select',
          header: 'Select',
          headerCell: (
            <input type="checkbox" aria-label="Select all instances on this page" checked={allOnPage} onChange={(e) => selectAll(e.target.checked)} />
          ),
          value: () => null,
          noExport: true,
          always: true,
          className: 'align-top',
          cell: (r) => (
            <input type="checkbox" aria-label={`Select ${label(r)}`} checked={isSelected(r.uuid)} onChange={(e) => toggle(r.uuid, e.target.checked)} />
          ),
        },
      ]
    : [];
  return [
    ...select,
    {
      id: 'instance',
      header: 'Instance',
      value: (r) => r.name,
      rowHeader: true,
      always: true,
      className: 'align-top font-normal',
      cell: (r) => (
        <Link href={`/cell0/${r.uuid}`} className="font-medium text-sky-800 hover:underline dark:text-sky-300">
          {r.name ?? <span className="italic">(no name)</span>}
        </Link>
      ),
    },
    { id: 'uuid', header: 'UUID', value: (r) => r.uuid, copy: true, className: 'whitespace-nowrap align-top font-mono text-xs' },
    {
      id: 'fault',
      header: 'Latest fault',
      value: (r) => r.fault?.message ?? null,
      className: 'min-w-72 align-top',
      cell: (r) => <FaultText fault={r.fault} />,
    },
    {
      id: 'flavor',
      header: 'Flavor',
      value: (r) => r.flavor?.name ?? null,
      className: 'whitespace-nowrap align-top',
      cell: (r) => (r.flavor ? r.flavor.name : <span className="italic text-zinc-600 dark:text-zinc-400">unreadable</span>),
    },
    {
      id: 'image',
      header: 'Image',
      value: (r) => r.imageRef || null,
      className: 'align-top font-mono text-xs',
      cell: (r) =>
        r.imageRef ? (
          <span title={r.imageRef}>{r.imageRef.slice(0, 8)}…</span>
        ) : (
          <span className="font-sans italic text-zinc-600 dark:text-zinc-400">volume</span>
        ),
    },
    {
      id: 'project',
      header: 'Project',
      value: (r) => r.projectId,
      className: 'align-top font-mono text-xs',
      cell: (r) =>
        r.projectId ? (
          <button
            type="button"
            title={`Only project ${r.projectId}`}
            aria-label={`Filter by project ${r.projectId}`}
            className="hover:underline"
            onClick={() => onProject(r.projectId!)}
          >
            {r.projectId.slice(0, 8)}…
          </button>
        ) : (
          '—'
        ),
    },
    {
      id: 'user',
      header: 'User',
      value: (r) => r.userId,
      className: 'align-top font-mono text-xs',
      cell: (r) => <span title={r.userId ?? undefined}>{r.userId ? `${r.userId.slice(0, 8)}…` : '—'}</span>,
    },
    {
      id: 'age',
      header: 'Age',
      // Exported as the creation time: an age is only true at the moment it is read.
      value: (r) => r.createdAt,
      sort: 'server',
      firstDir: 'desc',
      className: 'whitespace-nowrap align-top',
      cell: (r) => (r.createdAt ? <Time value={r.createdAt} /> : '—'),
    },
    ...(canDelete
      ? [
          {
            id: 'actions',
            header: 'Actions',
            value: () => null,
            noExport: true,
            always: true,
            className: 'align-top',
            cell: (r: Cell0Instance) => (
              <Button variant="danger" aria-label={`Delete ${label(r)}`} onClick={() => onDelete(r)}>
                Delete
              </Button>
            ),
          },
        ]
      : []),
  ];
}

function BreakdownList({ items, label, mono = false }: { items: Breakdown[]; label: string; mono?: boolean }) {
  return (
    <ul aria-label={label} className={`space-y-0.5 text-xs ${mono ? 'font-mono' : ''}`}>
      {items.slice(0, 6).map((b) => (
        <li key={b.label} className="whitespace-nowrap" title={b.label}>
          {mono && b.label.length > 12 ? `${b.label.slice(0, 8)}…` : b.label} <span className="text-zinc-600 dark:text-zinc-400">× {b.count}</span>
        </li>
      ))}
      {items.length > 6 ? <li className="text-zinc-600 dark:text-zinc-400">and {items.length - 6} more</li> : null}
    </ul>
  );
}

function GroupsView({ search, setSearch }: { search: Cell0Search; setSearch: SetSearch }) {
  const trpc = useTRPC();
  const filters = cell0Filters(search);
  const refresh = useAutoRefresh();
  const q = useQuery(trpc.triage.cell0.groups.queryOptions(filters, { placeholderData: (prev) => prev, refetchInterval: refresh.interval }));
  // The trends are asked beside the groups (one statement each in cell0): a slow trend never holds the groups back.
  const trend = useQuery(
    trpc.triage.cell0.trend.queryOptions({ ...filters, window: search.window }, { placeholderData: (prev) => prev, refetchInterval: refresh.interval }),
  );
  return (
    <>
      <div className="mb-2 flex justify-end">
        <AutoRefreshControl state={refresh} asOf={null} />
      </div>
      <QueryState query={q} what="fault groups" errorTitle="Could not group cell0's faults">
        {(data) =>
          data.state === 'unmapped' ? (
            UNMAPPED
          ) : data.state === 'down' ? (
            <DownNotice down={data.down} unknownCount={data.unknownCount} lastKnown={data.lastKnown} onRetry={() => void q.refetch()} retrying={q.isFetching} />
          ) : (
            <GroupsTable
              groups={data.data.groups}
              instances={data.data.instances}
              asOf={data.asOf}
              search={search}
              setSearch={setSearch}
              trend={trend.data?.state === 'up' ? trend.data.data : null}
              trendNote={trendNote(trend)}
              trendStale={trend.isPlaceholderData || (trend.data?.state === 'up' && trend.data.data.window !== search.window)}
            />
          )
        }
      </QueryState>
    </>
  );
}

/** Why the trends are missing, when they are. */
function trendNote(trend: { data?: FaultTrendResult; error: { message: string } | null; isPending: boolean }): string | null {
  if (trend.data?.state === 'up') return null;
  if (trend.error) return `The trends could not be read: ${trend.error.message}`;
  if (trend.data?.state === 'down') return 'The trends could not be read: cell0 did not answer.';
  return trend.isPending ? 'Reading the trends…' : null;
}

const NO_TREND: FaultTrendGroup = { key: '', count: 0, series: [] };

function GroupsTable({
  groups,
  instances,
  asOf,
  search,
  setSearch,
  trend,
  trendNote,
  trendStale,
}: {
  groups: FaultGroup[];
  instances: number;
  asOf: Date;
  search: Cell0Search;
  setSearch: SetSearch;
  trend: FaultTrend | null;
  trendNote: string | null;
  trendStale: boolean;
}) {
  const open = (g: FaultGroup) => void setSearch({ view: 'list', group: g.key, marker: '', back: false });
  const trendOf = new Map((trend?.groups ?? []).map((g) => [g.key, g]));
  const window = trend?.window ?? search.window;
  const inWindow = `Last ${window}`;
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
        <p role="status" aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
          {instances} instance{instances === 1 ? '' : 's'} in {groups.length} group{groups.length === 1 ? '' : 's'} · as of <ClockTime value={asOf} />
          {trend ? ` · ${trend.total} in the ${windowLabel(trend.window)}` : ''}
        </p>
        <WindowSwitch value={search.window} onChange={(w) => void setSearch({ window: w })} label="Window of the trends" />
      </div>
      {trendNote ? <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">{trendNote}</p> : null}
      {groups.length === 0 ? (
        <EmptyBox>
          {cell0Filters(search).fault || search.flavor || search.project
            ? 'No cell0 instance matches these filters.'
            : 'No errored instances in cell0: every boot found a home.'}
        </EmptyBox>
      ) : (
        <>
          <DataTable
            label="Fault groups"
            prefix="groups_"
            rows={groups}
            rowKey={(g) => g.key}
            rowData={(g) => ({ 'data-group': g.key })}
            columns={groupColumns({ open, trend, trendOf, trendStale, window, inWindow })}
          />
          {trend ? <TrendsTable groups={groups} trend={trend} trendOf={trendOf} /> : null}
        </>
      )}
    </div>
  );
}

const breakdownText = (items: Breakdown[]) => items.map((b) => `${b.label} (${b.count})`).join('; ');

/** The fault groups' columns: sorted in the browser (the groups come whole), exported with the trend's numbers. */
function groupColumns({
  open,
  trend,
  trendOf,
  trendStale,
  window,
  inWindow,
}: {
  open: (g: FaultGroup) => void;
  trend: FaultTrend | null;
  trendOf: Map<string, FaultTrendGroup>;
  trendStale: boolean;
  window: string;
  inWindow: string;
}): DataColumn<FaultGroup>[] {
  const trendFor = (g: FaultGroup) => (trend ? (trendOf.get(g.key) ?? { ...NO_TREND, key: g.key, series: trend.totals.map(() => 0) }) : null);
  return [
    {
      id: 'fault',
      header: 'Fault (normalised)',
      value: (g) => g.key,
      sort: 'client',
      rowHeader: true,
      always: true,
      className: 'min-w-80 align-top font-normal',
      cell: (g) => (
        <>
          <p className="break-words font-medium text-red-800 dark:text-red-300">{g.key}</p>
          <button
            type="button"
            className="mt-1 text-xs text-sky-800 underline dark:text-sky-300"
            aria-label={`Show the ${g.count} instances with fault ${g.key}`}
            onClick={() => open(g)}
          >
            Show {g.count} instance{g.count === 1 ? '' : 's'}
          </button>
        </>
      ),
    },
    { id: 'count', header: 'Count', value: (g) => g.count, sort: 'client', firstDir: 'desc', className: 'text-right align-top tabular-nums' },
    {
      id: 'trend',
      header: `Trend (${window}, UTC)`,
      value: (g) => trendFor(g)?.series.join(' ') ?? null,
      className: `align-top ${trendStale ? 'opacity-50' : ''}`,
      cell: (g) => {
        const t = trendFor(g);
        return t && trend ? (
          <Sparkline values={t.series} label={sparklineLabel(g.key, t, trend)} />
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400">—</span>
        );
      },
    },
    {
      id: 'in_window',
      header: inWindow,
      value: (g) => trendFor(g)?.count ?? null,
      sort: 'client',
      firstDir: 'desc',
      className: 'text-right align-top tabular-nums',
      cell: (g) => <span data-in-window="">{trendFor(g)?.count ?? '—'}</span>,
    },
    {
      id: 'first_seen',
      header: 'First seen',
      value: (g) => g.firstSeen,
      sort: 'client',
      className: 'whitespace-nowrap align-top',
      cell: (g) => (g.firstSeen ? <Time value={g.firstSeen} /> : '—'),
    },
    {
      id: 'last_seen',
      header: 'Last seen',
      value: (g) => g.lastSeen,
      sort: 'client',
      firstDir: 'desc',
      className: 'whitespace-nowrap align-top',
      cell: (g) => (g.lastSeen ? <Time value={g.lastSeen} /> : '—'),
    },
    {
      id: 'flavors',
      header: 'Flavors',
      value: (g) => breakdownText(g.byFlavor),
      className: 'align-top',
      cell: (g) => (
        <>
          <BreakdownList items={g.byFlavor} label={`Flavors of ${g.key}`} />
          {isNoValidHost(g.key) ? <FlavorRoomLinks flavors={g.byFlavor} /> : null}
        </>
      ),
    },
    {
      id: 'projects',
      header: 'Projects',
      value: (g) => breakdownText(g.byProject),
      className: 'align-top',
      cell: (g) => <BreakdownList items={g.byProject} label={`Projects of ${g.key}`} mono />,
    },
    {
      id: 'images',
      header: 'Images',
      value: (g) => breakdownText(g.byImage),
      className: 'align-top',
      cell: (g) => <BreakdownList items={g.byImage} label={`Images of ${g.key}`} mono />,
    },
  ];
}

/**
 * A "No valid host" group's way to capacity: for each of its flavors, the overview at that
 * flavor's room in every cell (the scheduler weighs all enabled cells at once, so the cells
 * side by side say whether any has room, or would once its hosts are discovered).
 */
function FlavorRoomLinks({ flavors }: { flavors: Breakdown[] }) {
  const named = flavors.filter((f) => f.label !== UNKNOWN_FLAVOR);
  if (named.length === 0) return null;
  return (
    <ul aria-label="Room for these flavors" className="mt-2 space-y-0.5 text-xs">
      {named.slice(0, 6).map((f) => (
        <li key={f.label}>
          <Link href={flavorCapacityHref(f.label)} className="text-sky-800 underline dark:text-sky-300">
            Room for {f.label} per cell
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** "Trend of <group> over the last 7 days: 3 failures, the most on 10 Mar (2)". */
function sparklineLabel(key: string, t: FaultTrendGroup, trend: FaultTrend): string {
  const head = `Trend of ${key} over the ${windowLabel(trend.window)}`;
  if (t.count === 0) return `${head}: none`;
  const peak = t.series.reduce((best, n, i) => (n > t.series[best]! ? i : best), 0);
  return `${head}: ${t.count} failure${t.count === 1 ? '' : 's'}, the most ${trend.bucket === 'hour' ? 'at' : 'on'} ${bucketLabel(trend.bucket, trend.bucketStarts[peak]!)} (${t.series[peak]})`;
}

/** The sparklines' numbers: a row per group, a column per hour or day. */
function TrendsTable({ groups, trend, trendOf }: { groups: FaultGroup[]; trend: FaultTrend; trendOf: Map<string, FaultTrendGroup> }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer text-xs text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">Show the trends as a table</summary>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a wide table scrolls, and a keyboard must reach it (WCAG 2.1.1, axe's scrollable-region-focusable). */}
      <div tabIndex={0} className="mt-2 max-h-96 overflow-auto rounded border border-zinc-200 dark:border-zinc-800">
        <table aria-label={`Fault group trends over the ${windowLabel(trend.window)}`} className="text-left text-xs">
          <thead className="sticky top-0 bg-zinc-50 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-2 py-1">
                Fault (normalised)
              </th>
              {trend.bucketStarts.map((b) => (
                <th key={b.toISOString()} scope="col" className="whitespace-nowrap px-2 py-1 text-right" title={bucketTitle(trend.bucket, b)}>
                  {bucketLabel(trend.bucket, b)}
                </th>
              ))}
              <th scope="col" className="px-2 py-1 text-right">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => {
              const t = trendOf.get(g.key);
              return (
                <tr key={g.key} className="border-t border-zinc-100 dark:border-zinc-800">
                  <th scope="row" className="max-w-80 px-2 py-1 font-normal">
                    {g.key}
                  </th>
                  {trend.bucketStarts.map((b, i) => (
                    <td key={b.toISOString()} className="px-2 py-1 text-right tabular-nums">
                      {t?.series[i] ?? 0}
                    </td>
                  ))}
                  <td className="px-2 py-1 text-right tabular-nums">{t?.count ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}
