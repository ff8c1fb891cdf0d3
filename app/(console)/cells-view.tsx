'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { AutoRefreshControl, useAutoRefresh } from '../_components/auto-refresh';
import { CellNotices, CellsAnswered } from '../_components/cell-notices';
import { type DataColumn, DataTable } from '../_components/data-table';
import { FlavorSlots } from '../_components/flavor-slots';
import type { WholeListKey } from '../_components/key-value-query';
import { CellLink } from '../_components/links';
import { LongText } from '../_components/long-text';
import { type CellPart, type Coverage, coverage, retryCell, useCellsFrame, usePerCell } from '../_components/per-cell';
import { QueryState } from '../_components/query-state';
import { RequireRole } from '../_components/require-role';
import { StaleMark, StaleValue } from '../_components/stale';
import { Button, PageHeader } from '../_components/ui';
import { useWholeListSearch, WholeListSearch } from '../_components/whole-list-search';
import { useTRPC } from '../_trpc/client';
import type { CapacityReport } from '@/server/boot/contract';
import { type CellList, type CellListRow, type CellMappingRow, cellLabel, type DownCell } from '@/server/cells/contract';

/**
 * The cells page: the frame (every mapping, api database only) at once, then each cell's
 * row as that cell answers. Its figures and its capacity are asked at the same time, one
 * call per cell each, in one streaming batch: the page is complete within one deadline.
 */
export function CellsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const auto = useAutoRefresh();
  const interval = auto.interval;
  const frame = useCellsFrame({ refetchInterval: interval });
  const mappings = frame.data?.frame ?? [];
  const lists = usePerCell<CellList>(mappings, (c) => trpc.cells.list.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: interval }));
  const capacities = usePerCell<CapacityReport>(
    mappings.filter((m) => !m.isCell0),
    (c) => trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: interval }),
  );
  const cover = coverage(
    lists,
    (d) => d.cells.filter((c): c is Extract<CellListRow, { status: 'down' }> => c.status === 'down') as DownCell[],
    (d) => d.asOf,
  );
  const retry = retryCell([lists, capacities]);
  const fetching = frame.isFetching || lists.some((p) => p.fetching) || capacities.some((p) => p.fetching);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.cells.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.boot.capacity.pathKey() });
  };

  return (
    <div>
      <PageHeader title="Cells">
        {frame.data ? <CellsAnswered answered={cover.answered} total={cover.total} asOf={cover.asOf ?? frame.data.asOf} asking={cover.pending.length} /> : null}
        <AutoRefreshControl state={auto} asOf={null} />
        <Button onClick={refresh} disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
        <RequireRole role="operator">
          <Link href="/cells/new" className="rounded border border-sky-700 bg-sky-700 px-3 py-1.5 text-white no-underline hover:bg-sky-800">
            Create cell
          </Link>
        </RequireRole>
      </PageHeader>

      <QueryState
        query={frame}
        what="cells"
        errorTitle="Could not load the cells"
        isEmpty={(d) => (d.frame ?? []).length === 0}
        empty={
          <>
            No cells are mapped yet. Map cell0 and your first cell with <code>cellar simple_cell_setup</code>, or <code>cellar map_cell0</code> and{' '}
            <code>cellar create_cell</code>, or{' '}
            <Link href="/cells/new" className="underline">
              create a cell
            </Link>{' '}
            here.
          </>
        }
      >
        {() => (
          <>
            <CellNotices down={cover.down} pending={cover.pending} answered={cover.answered} total={cover.total} {...retry} />
            <CellsTable mappings={mappings} lists={lists} cover={cover} />
            <FlavorSlots parts={capacities} />
          </>
        )}
      </QueryState>
    </div>
  );
}

/**
 * What an operator looks for first (is it up, is it disabled, what it holds) comes first,
 * so it is in view at 1024 px; the uuid and the URLs follow, shortened to one line each.
 * `data-column` names each cell's column for scripts.
 */
/** `cover`: the page's coverage of the cells, which every export of the table names. */
function CellsTable({ mappings, lists, cover }: { mappings: CellMappingRow[]; lists: CellPart<CellList>[]; cover: Coverage }) {
  const rows: CellsTableRow[] = mappings.map((m, i) => ({ m, part: lists[i], row: lists[i]?.data?.cells[0] }));
  const search = useWholeListSearch(CELL_SEARCH_KEYS, cellSearchTexts);
  const shown = search.filter(rows);
  return (
    <>
      <WholeListSearch label="Search cells" keys={CELL_SEARCH_KEYS} freeHelp="name, uuid or URL contains" search={search} />
      {search.active ? (
        <p role="status" className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
          {shown.length} of {rows.length} cell{rows.length === 1 ? '' : 's'} match.{' '}
          <button type="button" className="underline" onClick={search.clear}>
            Show every cell
          </button>
        </p>
      ) : null}
      <CellsTableOf rows={shown} cover={cover} />
    </>
  );
}

function CellsTableOf({ rows, cover }: { rows: CellsTableRow[]; cover: Coverage }) {
  return (
    <DataTable
      label="Cells"
      columns={CELL_COLUMNS}
      rows={rows}
      empty="No cell matches this search."
      rowKey={(r) => r.m.uuid}
      rowData={(r) => ({ 'data-cell-uuid': r.m.uuid, 'data-state': r.row ? r.row.status : r.part?.error ? 'error' : 'asking' })}
      notAnswered={cover.down}
      pending={cover.pending}
    />
  );
}

/** A row of the cells table: the mapping (api database) and, once it answered, what the cell said. */
interface CellsTableRow {
  m: CellMappingRow;
  part: CellPart<CellList> | undefined;
  row: CellListRow | undefined;
}

const cellOf = (r: CellsTableRow) => r.row ?? r.m;

/** Reachable as a word the search takes: up, down, or asking (no answer yet, or the call failed). */
function reachability(r: CellsTableRow): 'up' | 'down' | 'asking' {
  return r.row ? r.row.status : 'asking';
}

/** The cells page's search: a cell as every list names one, whether it answers, whether it is disabled. */
const CELL_SEARCH_KEYS: WholeListKey<CellsTableRow>[] = [
  {
    key: 'cell',
    help: 'a cell, by name or uuid',
    matches: (r, v) => r.m.uuid.toLowerCase() === v.toLowerCase() || cellOf(r).name?.toLowerCase() === v.toLowerCase(),
  },
  { key: 'state', help: 'whether it answered', values: ['up', 'down', 'asking'], matches: (r, v) => reachability(r) === v.toLowerCase() },
  {
    key: 'disabled',
    help: 'closed to new instances',
    values: ['yes', 'no'],
    matches: (r, v) => (cellOf(r).disabled ? 'yes' : 'no') === v.toLowerCase(),
  },
];

/** What free text looks in: the name, the uuid and the URLs as shown (passwords masked). */
const cellSearchTexts = (r: CellsTableRow) => [cellOf(r).name, r.m.uuid, cellOf(r).transportUrl, cellOf(r).databaseConnection];

function reachableText(r: CellsTableRow): string {
  if (!r.row) return r.part?.data ? 'no longer mapped' : r.part?.error ? 'could not ask' : 'asking';
  return r.row.status === 'up' ? 'up' : `down (${r.row.reason})`;
}

function liveInstancesValue(r: CellsTableRow): number | null {
  if (r.row?.status === 'up') return r.row.figures?.liveInstances ?? null;
  return r.row?.lastKnown?.value.figures?.liveInstances ?? null;
}

const CELL_COLUMNS: DataColumn<CellsTableRow>[] = [
  {
    id: 'name',
    header: 'Name',
    value: (r) => cellOf(r).name,
    sort: 'client',
    rowHeader: true,
    always: true,
    className: 'whitespace-nowrap',
    cell: (r) => {
      const c = cellOf(r);
      return (
        <>
          <CellLink cell={c}>{c.name ?? <span className="italic">(no name)</span>}</CellLink>
          {c.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 text-xs font-normal dark:bg-zinc-700">cell0</span> : null}
        </>
      );
    },
  },
  {
    id: 'reachable',
    header: 'Reachable',
    value: reachableText,
    sort: 'client',
    className: 'whitespace-nowrap',
    cell: (r) => {
      const { row, part } = r;
      if (!row) {
        if (part?.data) return <span className="text-zinc-600 dark:text-zinc-400">no longer mapped</span>;
        if (part?.error)
          return (
            <span className="text-red-700 dark:text-red-400" title={part.error.message}>
              ● could not ask
            </span>
          );
        return <span className="text-zinc-600 dark:text-zinc-400">● asking…</span>;
      }
      return row.status === 'up' ? (
        <span className="text-emerald-700 dark:text-emerald-400">● up · {row.elapsedMs} ms</span>
      ) : (
        <span className="text-red-700 dark:text-red-400" title={row.message ?? undefined}>
          ● down · {row.reason} ({row.elapsedMs} ms)
        </span>
      );
    },
  },
  { id: 'disabled', header: 'Disabled', value: (r) => (cellOf(r).disabled ? 'yes' : 'no'), sort: 'client' },
  {
    id: 'host-mappings',
    header: 'Host mappings',
    value: (r) => r.row?.hostMappings ?? r.m.hostMappings,
    sort: 'client',
    firstDir: 'desc',
    className: 'text-right tabular-nums',
  },
  {
    id: 'live-instances',
    header: 'Live instances',
    value: liveInstancesValue,
    sort: 'client',
    firstDir: 'desc',
    className: 'whitespace-nowrap text-right tabular-nums',
    cell: (r) => <LiveInstances row={r.row} />,
  },
  {
    id: 'schema',
    header: 'Schema',
    value: (r) => (r.row?.status === 'up' ? r.row.schema : r.row?.lastKnown?.value.schema)?.summary ?? null,
    sort: 'client',
    className: 'max-w-56 text-xs',
    cell: (r) => <Schema row={r.row} />,
  },
  { id: 'uuid', header: 'UUID', value: (r) => r.m.uuid, copy: true, className: 'whitespace-nowrap font-mono text-xs' },
  {
    id: 'transport-url',
    header: 'Transport URL',
    value: (r) => cellOf(r).transportUrl,
    cell: (r) => {
      const c = cellOf(r);
      return c.transportUrl ? <LongText value={c.transportUrl} label={`transport URL of ${cellLabel(c)}`} /> : '—';
    },
  },
  {
    id: 'database-connection',
    header: 'Database connection',
    value: (r) => cellOf(r).databaseConnection,
    cell: (r) => {
      const c = cellOf(r);
      return c.databaseConnection ? <LongText value={c.databaseConnection} label={`database connection of ${cellLabel(c)}`} /> : '—';
    },
  },
];

function LiveInstances({ row }: { row: CellListRow | undefined }) {
  if (!row) return <span className="text-zinc-600 dark:text-zinc-400">…</span>;
  if (row.status === 'up') return row.figures ? row.figures.liveInstances : <span className="text-zinc-600 dark:text-zinc-400">—</span>;
  const last = row.lastKnown;
  if (last?.value.figures) return <StaleValue at={last.observedAt}>{last.value.figures.liveInstances}</StaleValue>;
  if (last) return <StaleValue at={last.observedAt}>—</StaleValue>;
  return <span className="text-zinc-600 dark:text-zinc-400">unknown</span>;
}

function Schema({ row }: { row: CellListRow | undefined }) {
  const schema = row?.status === 'up' ? row.schema : row?.lastKnown?.value.schema;
  if (!row || !schema) return <>—</>;
  return (
    <>
      <span
        title={schema.summary}
        className={schema.state === 'current' ? 'text-zinc-600 dark:text-zinc-400' : 'font-medium text-amber-700 dark:text-amber-400'}
      >
        {schema.state === 'current' ? 'current' : schema.summary}
      </span>
      {row.status === 'down' && row.lastKnown ? (
        <>
          {' '}
          <StaleMark at={row.lastKnown.observedAt} />
        </>
      ) : null}
    </>
  );
}
