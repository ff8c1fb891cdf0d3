'use client';

import type { ReactNode } from 'react';

/**
 * A chart with its name, a legend in HTML, and its numbers as a real table behind "Show
 * as table" (a native <details>: keyboard and screen readers open it as they open any
 * disclosure, and the table is there to copy or export). The chart itself is an image
 * with an accessible name that says what it shows (ChartImage); the table is the way to
 * read it point by point.
 */
export function ChartFigure({
  id,
  title,
  description,
  legend,
  table,
  children,
  className = '',
}: {
  /** Makes the ids of the caption and the table; unique on the page. */
  id: string;
  title: ReactNode;
  description?: ReactNode;
  legend?: ReactNode;
  /** The chart's numbers as a <table> (TableOf, or any table). */
  table: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <figure
      aria-labelledby={`${id}-title`}
      data-chart={id}
      className={`rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900 ${className}`}
    >
      <figcaption id={`${id}-title`} className="text-sm font-medium">
        {title}
      </figcaption>
      {description ? <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{description}</p> : null}
      <div className="mt-2">{children}</div>
      {legend}
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-xs text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">Show as table</summary>
        <div className="mt-2">{table}</div>
      </details>
    </figure>
  );
}

/** The chart as one image for assistive technology: its name says what it shows; its parts are for the eye (the table has the numbers). */
export function ChartImage({ label, children, className = '' }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div role="img" aria-label={label} className={`text-zinc-600 dark:text-zinc-400 ${className}`}>
      {/* The drawing is the image's inside: not a second image, nor text of its own, to assistive technology. */}
      <div aria-hidden="true">{children}</div>
    </div>
  );
}

/** A legend in HTML: a swatch and a name per series, readable and selectable text rather than SVG. */
export function Legend({ items, label }: { items: readonly { key: string; name: string; color: string }[]; label: string }) {
  return (
    <ul aria-label={label} className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700 dark:text-zinc-300">
      {items.map((s) => (
        <li key={s.key} className="flex min-w-0 items-start gap-1.5">
          <Swatch color={s.color} />
          <span className="min-w-0 break-words">{s.name}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * A series' colour beside its name. SVG's fill, not a style attribute: the page's
 * Content-Security-Policy refuses inline styles in server-rendered markup.
 */
export function Swatch({ color }: { color: string }) {
  return (
    <svg aria-hidden="true" width="10" height="10" viewBox="0 0 10 10" className="mt-0.5 shrink-0 self-start">
      <rect width="10" height="10" rx="2" fill={color} />
    </svg>
  );
}

/** A chart's numbers as a plain table: one row per category, one column per series (numbers right-aligned). */
export function TableOf({
  label,
  rowHeader,
  columns,
  rows,
}: {
  label: string;
  rowHeader: string;
  columns: readonly { key: string; name: string }[];
  rows: readonly { key: string; header: ReactNode; cells: readonly ReactNode[] }[];
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table taller or wider than its box scrolls, and a keyboard must reach it (WCAG 2.1.1, axe's scrollable-region-focusable).
    <div tabIndex={0} className="max-h-96 overflow-auto rounded border border-zinc-200 dark:border-zinc-800">
      <table aria-label={label} className="w-full text-left text-xs">
        <thead className="sticky top-0 bg-zinc-50 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-2 py-1">
              {rowHeader}
            </th>
            {columns.map((c) => (
              <th key={c.key} scope="col" className="px-2 py-1 text-right">
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-zinc-100 dark:border-zinc-800">
              <th scope="row" className="whitespace-nowrap px-2 py-1 font-normal">
                {r.header}
              </th>
              {r.cells.map((c, i) => (
                <td key={columns[i]?.key ?? i} className="px-2 py-1 text-right tabular-nums">
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
