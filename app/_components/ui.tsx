/** Small shared pieces of the console's look: page headers, buttons, error and empty boxes. */
import type { ComponentProps, ReactNode } from 'react';

export function PageHeader({ title, children, description }: { title: string; description?: ReactNode; children?: ReactNode }) {
  return (
    <header className="mb-4">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {children ? <div className="flex flex-wrap items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">{children}</div> : null}
      </div>
      {description ? <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p> : null}
    </header>
  );
}

const VARIANTS = {
  default: 'border border-zinc-300 bg-white hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800',
  primary: 'border border-sky-700 bg-sky-700 text-white hover:bg-sky-800',
  danger: 'border border-red-700 bg-red-700 text-white hover:bg-red-800',
} as const;

export function Button({ variant = 'default', className = '', ...props }: ComponentProps<'button'> & { variant?: keyof typeof VARIANTS }) {
  return (
    <button
      type="button"
      {...props}
      className={`rounded px-3 py-1.5 text-sm disabled:cursor-not-allowed disabled:opacity-50 ${VARIANTS[variant]} ${className}`}
    />
  );
}

/** A plain error: what could not be done, the server's message, and what can be done about it (`children`: a retry, a link). */
export function ErrorBox({ title, message, children }: { title: string; message: string; children?: ReactNode }) {
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <span className="font-medium">{title}:</span> {message}
      {children ? <div className="mt-2 flex flex-wrap items-center gap-2">{children}</div> : null}
    </div>
  );
}

export function EmptyBox({ children }: { children: ReactNode }) {
  return <p className="rounded border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">{children}</p>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
      Loading {what}…
    </p>
  );
}

/**
 * Table chrome shared by every list: an accessible name, tidy rows, and a frame that
 * scrolls sideways by itself (the page never does) with the first column kept in view
 * (app/globals.css, `.cellar-table`). `maxHeight` bounds a long list's height so its
 * header stays on top while it scrolls. The frame takes keyboard focus so it can be
 * scrolled without a mouse.
 */
export function Table({ label, head, children, maxHeight }: { label: string; head: ReactNode; children: ReactNode; maxHeight?: string }) {
  return (
    <div
      role="group"
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a frame that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1)
      tabIndex={0}
      data-sticky-head={maxHeight ? '' : undefined}
      style={maxHeight ? { maxHeight } : undefined}
      className="cellar-table relative overflow-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <table className="w-full text-left text-sm" aria-label={label}>
        <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>{head}</tr>
        </thead>
        <tbody className="[&>tr]:border-b [&>tr]:border-zinc-100 [&>tr:last-child]:border-0 dark:[&>tr]:border-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}

export function Th({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return (
    <th scope="col" className={`px-3 py-2 ${className}`}>
      {children}
    </th>
  );
}

export function Td({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return <td className={`px-3 py-2 ${className}`}>{children}</td>;
}
