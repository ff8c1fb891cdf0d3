'use client';
/**
 * A stand-in for app/_components/data-table.tsx's DataTable, the same but for one option,
 * until that file is fixed (reported with issue #12): there, every render passes TanStack
 * Table a new `sorting` array, so the sorted row model is computed again on every render,
 * and each time TanStack's default autoResetPageIndex (on, as the table pages nothing
 * itself) queues a state update that renders the table again: after its first re-render
 * (a refresh, new rows) the table renders itself in an endless loop and the page stops
 * answering clicks. Here `autoResetPageIndex: false`. Same props, same URL keys, same
 * export; delete this file and import DataTable from app/_components/data-table once
 * fixed there.
 */
import { type ColumnDef, getCoreRowModel, getSortedRowModel, type SortingState, useReactTable, type VisibilityState } from '@tanstack/react-table';
import { useId, useMemo } from 'react';
import { CopyButton } from '../../_components/copy-button';
import type { DataColumn, DataTableProps } from '../../_components/data-table';
import { useTableUrlState } from '../../_components/data-table';
import { type ExportValue, exportFileName, type TableExport, toCsv, toJson } from '../../_components/table-export';

function asText(v: ExportValue): string {
  if (v === null || v === undefined || v === '') return '—';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').slice(0, 19);
  return String(v);
}

function compare(a: ExportValue, b: ExportValue): number {
  // Nothing sorts last whichever the direction is, as nova's listings put NULLs.
  const an = a === null || a === undefined || a === '';
  const bn = b === null || b === undefined || b === '';
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), 'en', { numeric: true, sensitivity: 'base' });
}

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  prefix = '',
  defaultSort,
  onSortChange,
  notAnswered,
  pending,
  leadingRows = [],
  rowClassName,
  empty,
  toolbar,
  maxHeight = '70vh',
}: DataTableProps<T>) {
  const [url, setUrl] = useTableUrlState(prefix);
  const known = new Set(columns.map((c) => c.id));
  const sortCol = url.sort && known.has(url.sort) ? columns.find((c) => c.id === url.sort && c.sort) : undefined;
  const active = sortCol ? { id: sortCol.id, dir: url.dir ?? 'asc' } : url.sort ? null : (defaultSort ?? null);
  const shown = url.cols?.filter((id) => known.has(id));
  const visibility: VisibilityState = Object.fromEntries(
    columns.map((c) => [c.id, c.always || (shown && shown.length > 0 ? shown.includes(c.id) : !c.hiddenByDefault)]),
  );
  // Only a browser-sorted column sorts the rows here; the server's order is kept as given.
  const sorting: SortingState = active && columns.find((c) => c.id === active.id)?.sort === 'client' ? [{ id: active.id, desc: active.dir === 'desc' }] : [];

  const defs = useMemo<ColumnDef<T>[]>(
    () =>
      columns.map((c) => ({
        id: c.id,
        header: c.header,
        accessorFn: (row: T) => c.value(row),
        sortingFn: (a, b) => compare(c.value(a.original), c.value(b.original)),
        enableSorting: c.sort === 'client',
        enableHiding: !c.always,
      })),
    [columns],
  );
  const table = useReactTable({
    data: rows as T[],
    columns: defs,
    state: { sorting, columnVisibility: visibility },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    manualSorting: false,
    // The one change: the table pages nothing itself, so nothing to reset (see above).
    autoResetPageIndex: false,
    getRowId: (row) => rowKey(row),
  });
  const visible = columns.filter((c) => visibility[c.id]);
  const ordered = [...leadingRows, ...table.getRowModel().rows.map((r) => r.original)];

  const setSort = (c: DataColumn<T>) => {
    const dir: 'asc' | 'desc' = active?.id === c.id ? (active.dir === 'asc' ? 'desc' : 'asc') : (c.firstDir ?? 'asc');
    void setUrl({ sort: c.id, dir });
    onSortChange?.({ id: c.id, dir });
  };
  const setShown = (id: string, on: boolean) => {
    const now = columns.filter((c) => (c.id === id ? on : visibility[c.id])).map((c) => c.id);
    const defaults = columns.filter((c) => c.always || !c.hiddenByDefault).map((c) => c.id);
    void setUrl({ cols: now.join(',') === defaults.join(',') ? null : now });
  };

  const exported = (): TableExport<T> => ({
    table: label,
    columns: visible.filter((c) => !c.noExport),
    rows: ordered,
    notAnswered,
    pending,
    url: typeof window === 'undefined' ? undefined : window.location.href,
  });

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-end gap-2 text-sm">
        {toolbar ? <div className="mr-auto flex flex-wrap items-center gap-2">{toolbar}</div> : null}
        <ColumnPicker label={label} columns={columns} visibility={visibility} onChange={setShown} />
        <ExportButtons label={label} build={exported} />
      </div>
      <div className="overflow-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900" style={{ maxHeight }}>
        <table className="w-full text-left text-sm" aria-label={label}>
          <thead className="text-xs uppercase text-zinc-600 dark:text-zinc-400">
            <tr>
              {visible.map((c) => {
                const sorted = active?.id === c.id ? active.dir : null;
                return (
                  <th
                    key={c.id}
                    scope="col"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : c.sort ? 'none' : undefined}
                    className={`sticky top-0 z-10 whitespace-nowrap border-b border-zinc-200 bg-zinc-50 px-3 py-2 dark:border-zinc-800 dark:bg-zinc-900 ${c.rowHeader ? 'left-0 z-20' : ''} ${c.className ?? ''}`}
                  >
                    {c.sort ? (
                      <button type="button" onClick={() => setSort(c)} className="inline-flex items-center gap-1 uppercase hover:underline">
                        {c.header}
                        <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>
                        <span className="sr-only">{sorted ? `, sorted ${sorted === 'asc' ? 'ascending' : 'descending'}` : ', sortable'}</span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="[&>tr]:border-b [&>tr]:border-zinc-100 [&>tr:last-child]:border-0 dark:[&>tr]:border-zinc-800">
            {ordered.length === 0 && empty ? (
              <tr>
                <td colSpan={visible.length} className="px-3 py-6 text-zinc-600 dark:text-zinc-400">
                  {empty}
                </td>
              </tr>
            ) : (
              ordered.map((row) => (
                <tr key={rowKey(row)} className={rowClassName?.(row)}>
                  {visible.map((c) => {
                    const content = (
                      <>
                        {c.cell ? c.cell(row) : asText(c.value(row))}
                        {c.copy && c.value(row) !== null && c.value(row) !== undefined && c.value(row) !== '' ? (
                          <CopyButton value={String(c.value(row))} label={`Copy ${c.header.toLowerCase()} ${String(c.value(row))}`} />
                        ) : null}
                      </>
                    );
                    return c.rowHeader ? (
                      <th key={c.id} scope="row" className={`sticky left-0 bg-white px-3 py-2 font-medium dark:bg-zinc-900 ${c.className ?? ''}`}>
                        {content}
                      </th>
                    ) : (
                      <td key={c.id} className={`px-3 py-2 ${c.className ?? ''}`}>
                        {content}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ColumnPicker<T>({
  label,
  columns,
  visibility,
  onChange,
}: {
  label: string;
  columns: readonly DataColumn<T>[];
  visibility: VisibilityState;
  onChange: (id: string, on: boolean) => void;
}) {
  const id = useId();
  const hideable = columns.filter((c) => !c.always);
  if (hideable.length === 0) return null;
  return (
    <details className="relative">
      <summary className="cursor-pointer list-none rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Columns<span className="sr-only"> of {label}</span>
      </summary>
      <fieldset
        aria-labelledby={`${id}-legend`}
        className="absolute right-0 z-30 mt-1 w-56 space-y-1 rounded border border-zinc-300 bg-white p-2 shadow dark:border-zinc-700 dark:bg-zinc-900"
      >
        <legend id={`${id}-legend`} className="sr-only">
          Columns shown in {label}
        </legend>
        {hideable.map((c) => (
          <label key={c.id} className="flex items-center gap-2">
            <input type="checkbox" checked={Boolean(visibility[c.id])} onChange={(e) => onChange(c.id, e.target.checked)} />
            {c.header}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function download(name: string, type: string, body: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ExportButtons<T>({ label, build }: { label: string; build: () => TableExport<T> }) {
  const btn = 'rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800';
  return (
    <span className="inline-flex items-center gap-1">
      <button type="button" className={btn} onClick={() => download(exportFileName(label, 'csv'), 'text/csv;charset=utf-8', toCsv(build()))}>
        Export CSV<span className="sr-only"> of {label}</span>
      </button>
      <button type="button" className={btn} onClick={() => download(exportFileName(label, 'json'), 'application/json', toJson(build()))}>
        Export JSON<span className="sr-only"> of {label}</span>
      </button>
    </span>
  );
}
