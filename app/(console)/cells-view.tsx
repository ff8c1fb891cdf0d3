'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { parseAsBoolean, useQueryState } from 'nuqs';
import { CellsAnswered } from '../_components/cell-notices';
import { CopyButton } from '../_components/copy-button';
import { CheckboxField } from '../_components/fields';
import { FlavorSlots } from '../_components/flavor-slots';
import { CellLink } from '../_components/links';
import { QueryState } from '../_components/query-state';
import { RequireRole } from '../_components/require-role';
import { Time } from '../_components/time';
import { Button, PageHeader, Table, Th } from '../_components/ui';
import { useTRPC } from '../_trpc/client';
import { type CellListRow, cellLabel } from '@/server/cells/contract';

const REFRESH_MS = 30_000;

export function CellsView() {
  const trpc = useTRPC();
  const [autoRefresh, setAutoRefresh] = useQueryState('refresh', parseAsBoolean.withDefault(true));
  const q = useQuery(trpc.cells.list.queryOptions(undefined, { refetchInterval: autoRefresh ? REFRESH_MS : false }));

  return (
    <div>
      <PageHeader title="Cells">
        {q.data ? <CellsAnswered answered={q.data.answered} total={q.data.total} asOf={q.data.asOf} /> : null}
        <CheckboxField label="Auto-refresh" checked={autoRefresh} onChange={(e) => void setAutoRefresh(e.target.checked)} className="items-center" />
        <Button onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
        <RequireRole role="operator">
          <Link href="/cells/new" className="rounded border border-sky-700 bg-sky-700 px-3 py-1.5 text-white hover:bg-sky-800">
            Create cell
          </Link>
        </RequireRole>
      </PageHeader>

      <QueryState
        query={q}
        what="cells"
        errorTitle="Could not load the cells"
        cells={(d) => ({ down: d.cells.filter((c) => c.status === 'down'), answered: d.answered, total: d.total })}
        isEmpty={(d) => d.cells.length === 0}
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
        {(d) => (
          <>
            <CellsTable cells={d.cells} />
            <FlavorSlots />
          </>
        )}
      </QueryState>
    </div>
  );
}

type Row = CellListRow;

function CellsTable({ cells }: { cells: Row[] }) {
  return (
    <Table
      label="Cells"
      head={
        <>
          <Th>Name</Th>
          <Th>UUID</Th>
          <Th>Transport URL</Th>
          <Th>Database connection</Th>
          <Th>Disabled</Th>
          <Th>Reachable</Th>
          <Th className="text-right">Host mappings</Th>
          <Th className="text-right">Live instances</Th>
          <Th>Schema</Th>
        </>
      }
    >
      {cells.map((c) => (
        <tr key={c.uuid} data-cell-uuid={c.uuid} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
          <th scope="row" className="px-3 py-2 font-medium">
            <CellLink cell={c}>{c.name ?? <span className="italic">(no name)</span>}</CellLink>
            {c.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 text-xs font-normal dark:bg-zinc-700">cell0</span> : null}
          </th>
          <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
            {c.uuid}
            <CopyButton value={c.uuid} label={`Copy uuid of ${cellLabel(c)}`} />
          </td>
          <td className="max-w-72 break-all px-3 py-2 font-mono text-xs">{c.transportUrl ?? '—'}</td>
          <td className="max-w-72 break-all px-3 py-2 font-mono text-xs">{c.databaseConnection ?? '—'}</td>
          <td className="px-3 py-2">{c.disabled ? 'yes' : 'no'}</td>
          <td className="whitespace-nowrap px-3 py-2">
            {c.status === 'up' ? (
              <span className="text-emerald-700 dark:text-emerald-400">● up · {c.elapsedMs} ms</span>
            ) : (
              <span className="text-red-700 dark:text-red-400" title={c.message ?? undefined}>
                ● down · {c.reason} ({c.elapsedMs} ms)
              </span>
            )}
          </td>
          <td className="px-3 py-2 text-right tabular-nums">{c.hostMappings}</td>
          <td className="px-3 py-2 text-right tabular-nums">
            {c.figures ? (
              c.figures.liveInstances
            ) : c.status === 'up' ? (
              <span className="text-zinc-500">—</span>
            ) : c.lastKnown ? (
              <span className="text-zinc-500" title="Last known figure; the cell is not answering">
                {c.lastKnown.figures.liveInstances}{' '}
                <span className="text-xs">
                  (stale, <Time value={c.lastKnown.observedAt} />)
                </span>
              </span>
            ) : (
              <span className="text-zinc-500">unknown</span>
            )}
          </td>
          <td className="px-3 py-2 text-xs">
            {c.schema ? (
              <span
                title={c.schema.summary}
                className={c.schema.state === 'current' ? 'text-zinc-600 dark:text-zinc-400' : 'font-medium text-amber-700 dark:text-amber-400'}
              >
                {c.schema.state === 'current' ? 'current' : c.schema.summary}
              </span>
            ) : (
              '—'
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}
