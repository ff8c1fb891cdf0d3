'use client';
/**
 * The one table of every list (TanStack Table): sort by a column's header, choose the
 * columns shown, export the view as CSV or JSON, copy a value; the header stays in view
 * while the rows scroll and the row's first column while the table scrolls sideways. All
 * of its state is in the URL (`sort`, `dir`, `cols`, each with the table's `prefix`), so a
 * link gives the same view.
 *
 * A column sorts in the browser (`sort: 'client'`, over the rows given: a list that is
 * whole on the page) or on the server (`sort: 'server'`: the page reads the same `sort`
 * and `dir` from the URL into its query, and pages with keyset markers; `onSortChange`
 * lets it drop its marker). Paging is the page's own (TablePager), since each list has
 * its own markers.
 */
import { type ColumnDef, getCoreRowModel, getSortedRowModel, type SortingState, useReactTable, type VisibilityState } from '@tanstack/react-table';
import { parseAsArrayOf, parseAsString, parseAsStringLiteral, useQueryStates } from 'nuqs';
import Link from 'next/link';
import { type ReactNode, useEffect, useId, useMemo, useRef } from 'react';
import { CopyButton } from './copy-button';
import { type ExportValue, exportFileName, type NotAnswered, type TableExport, toCsv, toJson } from './table-export';

export interface DataColumn<T> {
  /** Also its name in the URL (`sort=<id>`, `cols=<id>,…`) and each body cell's `data-column`; a server-sorted column's id is the server's sort key. */
  id: string;
  header: string;
  /** What the header shows instead of `header` (a "select all" box); `header` still names the column in the picker and exports. */
  headerCell?: ReactNode;
  /** The plain value: what sorts in the browser, what is exported and copied. */
  value: (row: T) => ExportValue;
  /** The cell as shown (default: the value as text). */
  cell?: (row: T) => ReactNode;
  /** A header click sorts by it: over the rows given, or by the server. Absent: not sortable. */
  sort?: 'client' | 'server';
  /** The direction of the first click (default: ascending for text, descending for the rest). */
  firstDir?: 'asc' | 'desc';
  /** A copy button beside the value. */
  copy?: boolean;
  /** The row's header (<th scope="row">), kept in view when the table scrolls sideways. */
  rowHeader?: boolean;
  /** Hidden until the user shows it. */
  hiddenByDefault?: boolean;
  /** Cannot be hidden. */
  always?: boolean;
  /** Not exported (a checkbox, the row's actions). */
  noExport?: boolean;
  className?: string;
}

export interface DataTableProps<T> {
  /** The table's accessible name, also its export's name. */
  label: string;
  columns: readonly DataColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** URL keys of this table: `${prefix}sort`, `${prefix}dir`, `${prefix}cols` (two tables on a page need two prefixes). */
  prefix?: string;
  /** The sort the server used when the URL names none (shown on its header). */
  defaultSort?: { id: string; dir: 'asc' | 'desc' };
  /** Called after a header click changed the sort: a server-sorted list drops its keyset marker here. */
  onSortChange?: (sort: { id: string; dir: 'asc' | 'desc' } | null) => void;
  /** Which cells did not answer (or are still being asked): written into every export. */
  notAnswered?: readonly NotAnswered[];
  pending?: readonly { uuid: string; name: string | null }[];
  /** Rows that are not data rows of the list (UNKNOWN rows of a down cell) go first, unsorted, and are exported too. */
  leadingRows?: readonly T[];
  /** A row's extra class (e.g. an UNKNOWN row). */
  rowClassName?: (row: T) => string | undefined;
  /** A row's data attributes, for scripts and tests that pick rows by state (`data-stuck`). */
  rowData?: (row: T) => Record<`data-${string}`, string | undefined>;
  /** Shown instead of the body when there are no rows. */
  empty?: ReactNode;
  /** Controls placed beside the table's own (filters' summary, a bulk action). */
  toolbar?: ReactNode;
  /** Limit the height so the header sticks while rows scroll (default 70vh). */
  maxHeight?: string;
}

const DIRS = ['asc', 'desc'] as const;

export function useTableUrlState(prefix = '') {
  return useQueryStates(
    {
      sort: parseAsString,
      dir: parseAsStringLiteral(DIRS),
      cols: parseAsArrayOf(parseAsString),
    },
    { urlKeys: { sort: `${prefix}sort`, dir: `${prefix}dir`, cols: `${prefix}cols` } },
  );
}

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
  rowData,
  empty,
  toolbar,
  maxHeight,
}: DataTableProps<T>) {
  // The page's Content-Security-Policy refuses style attributes in the server's HTML: a
  // height other than the default is set on the element (CSSOM), which it allows.
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current && maxHeight !== undefined) scroller.current.style.maxHeight = maxHeight;
  }, [maxHeight]);
  const [url, setUrl] = useTableUrlState(prefix);
  const known = new Set(columns.map((c) => c.id));
  const sortCol = url.sort && known.has(url.sort) ? columns.find((c) => c.id === url.sort && c.sort) : undefined;
  const active = sortCol ? { id: sortCol.id, dir: url.dir ?? 'asc' } : url.sort ? null : (defaultSort ?? null);
  const shown = url.cols?.filter((id) => known.has(id));
  const visibilityKey = columns.map((c) => `${c.id}:${c.always || (shown && shown.length > 0 ? shown.includes(c.id) : !c.hiddenByDefault) ? 1 : 0}`).join(',');
  // Kept by value: TanStack recomputes its row models when a state object is new, and a new
  // sort state on every render would sort again on every render.
  const visibility: VisibilityState = useMemo(
    () => Object.fromEntries(visibilityKey.split(',').map((kv) => [kv.slice(0, kv.lastIndexOf(':')), kv.endsWith(':1')])),
    [visibilityKey],
  );
  // Only a browser-sorted column sorts the rows here; the server's order is kept as given.
  const clientSort = active && columns.find((c) => c.id === active.id)?.sort === 'client' ? active : null;
  const sortId = clientSort?.id ?? null;
  const sortDesc = clientSort?.dir === 'desc';
  const sorting: SortingState = useMemo(() => (sortId ? [{ id: sortId, desc: sortDesc }] : []), [sortId, sortDesc]);

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
    // Paging is the page's own (TablePager): TanStack's page index is unused, and resetting it
    // whenever the rows change (its default) is a state update per new rows array, which
    // loops when a page passes rows made during its render.
    autoResetAll: false,
    manualPagination: true,
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
      <div
        ref={scroller}
        role="group"
        aria-label={label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a frame that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1)
        tabIndex={0}
        className={`overflow-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900 ${maxHeight === undefined ? 'max-h-[70vh]' : ''}`}
      >
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
                      (c.headerCell ?? c.header)
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
                <tr key={rowKey(row)} className={rowClassName?.(row)} {...rowData?.(row)}>
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
                      <th
                        key={c.id}
                        scope="row"
                        data-column={c.id}
                        className={`sticky left-0 bg-white px-3 py-2 font-medium dark:bg-zinc-900 ${c.className ?? ''}`}
                      >
                        {content}
                      </th>
                    ) : (
                      <td key={c.id} data-column={c.id} className={`px-3 py-2 ${c.className ?? ''}`}>
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

/** Paging of a list that pages with keyset markers: previous and next (links or actions), the page size. */
export function TablePager({
  label,
  size,
  sizes,
  onSize,
  prev,
  next,
  summary,
}: {
  label: string;
  size?: number;
  sizes?: readonly number[];
  onSize?: (size: number) => void;
  prev?: { href: string } | { onClick: () => void } | null;
  next?: { href: string } | { onClick: () => void } | null;
  summary?: ReactNode;
}) {
  const id = useId();
  const link = 'rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800';
  const off = 'rounded border border-zinc-200 px-3 py-1 text-zinc-500 dark:border-zinc-800 dark:text-zinc-400';
  const go = (to: typeof prev, text: string) =>
    !to ? (
      <span aria-disabled="true" className={off}>
        {text}
      </span>
    ) : 'href' in to ? (
      <Link href={to.href} className={link}>
        {text}
      </Link>
    ) : (
      <button type="button" className={link} onClick={to.onClick}>
        {text}
      </button>
    );
  return (
    <nav aria-label={`Pages of ${label}`} className="mt-3 flex flex-wrap items-center gap-3 text-sm">
      {go(prev, 'Previous page')}
      {go(next, 'Next page')}
      {summary ? <span className="text-zinc-600 dark:text-zinc-400">{summary}</span> : null}
      {sizes && size !== undefined && onSize ? (
        <label htmlFor={id} className="ml-auto flex items-center gap-2">
          Rows per page
          <select
            id={id}
            value={size}
            onChange={(e) => onSize(Number(e.target.value))}
            className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          >
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </nav>
  );
}
