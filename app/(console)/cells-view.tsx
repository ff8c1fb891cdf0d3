'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { AutoRefreshControl, useAutoRefresh } from '../_components/auto-refresh';
import { CellNotices, CellsAnswered } from '../_components/cell-notices';
import { CopyButton } from '../_components/copy-button';
import { FlavorSlots } from '../_components/flavor-slots';
import { CellLink } from '../_components/links';
import { LongText } from '../_components/long-text';
import { type CellPart, coverage, retryCell, useCellsFrame, usePerCell } from '../_components/per-cell';
import { QueryState } from '../_components/query-state';
import { RequireRole } from '../_components/require-role';
import { StaleMark, StaleValue } from '../_components/stale';
import { Button, PageHeader, Table, Th } from '../_components/ui';
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
            <CellsTable mappings={mappings} lists={lists} />
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
function CellsTable({ mappings, lists }: { mappings: CellMappingRow[]; lists: CellPart<CellList>[] }) {
  return (
    <Table
      label="Cells"
      head={
        <>
          <Th>Name</Th>
          <Th>Reachable</Th>
          <Th>Disabled</Th>
          <Th className="text-right">Host mappings</Th>
          <Th className="text-right">Live instances</Th>
          <Th>Schema</Th>
          <Th>UUID</Th>
          <Th>Transport URL</Th>
          <Th>Database connection</Th>
        </>
      }
    >
      {mappings.map((m, i) => {
        const part = lists[i];
        const row = part?.data?.cells[0];
        const c = row ?? m;
        const label = cellLabel(c);
        return (
          <tr
            key={m.uuid}
            data-cell-uuid={m.uuid}
            data-state={row ? row.status : part?.error ? 'error' : 'asking'}
            className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
          >
            <th scope="row" className="whitespace-nowrap px-3 py-2 font-medium">
              <CellLink cell={c}>{c.name ?? <span className="italic">(no name)</span>}</CellLink>
              {c.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 text-xs font-normal dark:bg-zinc-700">cell0</span> : null}
            </th>
            <td data-column="reachable" className="whitespace-nowrap px-3 py-2">
              {!row ? (
                part?.data ? (
                  <span className="text-zinc-600 dark:text-zinc-400">no longer mapped</span>
                ) : part?.error ? (
                  <span className="text-red-700 dark:text-red-400" title={part.error.message}>
                    ● could not ask
                  </span>
                ) : (
                  <span className="text-zinc-600 dark:text-zinc-400">● asking…</span>
                )
              ) : row.status === 'up' ? (
                <span className="text-emerald-700 dark:text-emerald-400">● up · {row.elapsedMs} ms</span>
              ) : (
                <span className="text-red-700 dark:text-red-400" title={row.message ?? undefined}>
                  ● down · {row.reason} ({row.elapsedMs} ms)
                </span>
              )}
            </td>
            <td data-column="disabled" className="px-3 py-2">
              {c.disabled ? 'yes' : 'no'}
            </td>
            <td data-column="host-mappings" className="px-3 py-2 text-right tabular-nums">
              {row?.hostMappings ?? m.hostMappings}
            </td>
            <td data-column="live-instances" className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
              <LiveInstances row={row} />
            </td>
            <td data-column="schema" className="max-w-56 px-3 py-2 text-xs">
              <Schema row={row} />
            </td>
            <td data-column="uuid" className="whitespace-nowrap px-3 py-2 font-mono text-xs">
              {c.uuid}
              <CopyButton value={c.uuid} label={`Copy uuid of ${label}`} />
            </td>
            <td data-column="transport-url" className="px-3 py-2">
              {c.transportUrl ? <LongText value={c.transportUrl} label={`transport URL of ${label}`} /> : '—'}
            </td>
            <td data-column="database-connection" className="px-3 py-2">
              {c.databaseConnection ? <LongText value={c.databaseConnection} label={`database connection of ${label}`} /> : '—'}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

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
