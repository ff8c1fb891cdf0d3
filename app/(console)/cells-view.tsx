'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { RequireRole } from '@/app/_components/require-role';
import { parseAsBoolean, useQueryState } from 'nuqs';
import { CellNotices } from '../_components/cell-notices';
import { CopyButton } from '../_components/copy-button';
import { FlavorSlots } from '../_components/flavor-slots';
import { ClockTime, Time } from '../_components/time';
import { useTRPC } from '../_trpc/client';
import type { CellListRow } from '@/server/cells/list-cells';

const REFRESH_MS = 30_000;

export function CellsView() {
  const trpc = useTRPC();
  const [autoRefresh, setAutoRefresh] = useQueryState('refresh', parseAsBoolean.withDefault(true));
  const q = useQuery(trpc.cells.list.queryOptions(undefined, { refetchInterval: autoRefresh ? REFRESH_MS : false }));

  return (
    <div>
      <header className="mb-4 flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Cells</h1>
        <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
          {q.data ? (
            <span role="status" aria-live="polite">
              {q.data.answered} of {q.data.total} cells answered · as of <ClockTime value={q.data.asOf} />
            </span>
          ) : null}
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={autoRefresh} onChange={(e) => void setAutoRefresh(e.target.checked)} />
            Auto-refresh
          </label>
          <button
            type="button"
            onClick={() => void q.refetch()}
            disabled={q.isFetching}
            className="rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
          <RequireRole role="operator">
            <Link href="/cells/new" className="rounded border border-sky-700 bg-sky-700 px-2 py-1 text-white hover:bg-sky-800">
              Create cell
            </Link>
          </RequireRole>
        </div>
      </header>

      {q.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading cells…
        </p>
      ) : q.isError ? (
        <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          Could not load the cells: {q.error.message}
        </div>
      ) : q.data.cells.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700">
          No cells are mapped yet. Map cell0 and your first cell with <code>cellar simple_cell_setup</code>, or{' '}
          <code>cellar map_cell0</code> and <code>cellar create_cell</code>, or <Link href="/cells/new" className="underline">create a cell</Link> here.
        </p>
      ) : (
        <>
          <CellNotices
            down={q.data.cells.filter((c) => c.status === 'down')}
            answered={q.data.answered}
            total={q.data.total}
            onRetry={() => void q.refetch()}
          />
          <CellsTable cells={q.data.cells} />
          <FlavorSlots />
        </>
      )}
    </div>
  );
}

type Row = CellListRow;

function CellsTable({ cells }: { cells: Row[] }) {
  return (
    <div className="overflow-x-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-left text-sm" aria-label="Cells">
        <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900">
          <tr>
            <th scope="col" className="px-3 py-2">Name</th>
            <th scope="col" className="px-3 py-2">UUID</th>
            <th scope="col" className="px-3 py-2">Transport URL</th>
            <th scope="col" className="px-3 py-2">Database connection</th>
            <th scope="col" className="px-3 py-2">Disabled</th>
            <th scope="col" className="px-3 py-2">Reachable</th>
            <th scope="col" className="px-3 py-2 text-right">Host mappings</th>
            <th scope="col" className="px-3 py-2 text-right">Live instances</th>
            <th scope="col" className="px-3 py-2">Schema</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((c) => (
            <tr key={c.uuid} data-cell-uuid={c.uuid} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
              <th scope="row" className="px-3 py-2 font-medium">
                <Link href={`/cells/${c.uuid}`} className="text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">
                  {c.name ?? <span className="italic">(no name)</span>}
                </Link>
                {c.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 text-xs font-normal dark:bg-zinc-700">cell0</span> : null}
              </th>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                {c.uuid}
                <CopyButton value={c.uuid} label={`Copy uuid of ${c.name ?? c.uuid}`} />
              </td>
              <td className="max-w-72 break-all px-3 py-2 font-mono text-xs">{c.transportUrl ?? '—'}</td>
              <td className="max-w-72 break-all px-3 py-2 font-mono text-xs">{c.databaseConnection ?? '—'}</td>
              <td className="px-3 py-2">{c.disabled ? 'yes' : 'no'}</td>
              <td className="whitespace-nowrap px-3 py-2">
                {c.status === 'up' ? (
                  <span className="text-emerald-700 dark:text-emerald-400">● up · {c.latencyMs} ms</span>
                ) : (
                  <span className="text-red-700 dark:text-red-400" title={c.message ?? undefined}>
                    ● down · {c.reason} ({c.latencyMs} ms)
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
                    {c.lastKnown.figures.liveInstances} <span className="text-xs">(stale, <Time value={c.lastKnown.observedAt} />)</span>
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
        </tbody>
      </table>
    </div>
  );
}
