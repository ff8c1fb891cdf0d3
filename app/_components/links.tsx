/** Links to a cell's page and to a host's mapping, named as people name them. */
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { CellSummary } from '@/server/cells/cell-ref';

/** A link is underlined wherever it stands (WCAG 1.4.1: not told from text by colour alone); thicker on hover. */
export const LINK = 'text-sky-700 underline underline-offset-2 decoration-sky-700/50 hover:decoration-2 dark:text-sky-400 dark:decoration-sky-400/60';

export const cellHref = (uuid: string) => `/cells/${encodeURIComponent(uuid)}`;
export const hostHref = (host: string) => `/hosts?host=${encodeURIComponent(host)}`;

/** A cell by its name (its uuid, in monospace, when it has none), linked to its page. */
export function CellLink({ cell, className = '', children }: { cell: CellSummary; className?: string; children?: ReactNode }) {
  return (
    <Link href={cellHref(cell.uuid)} className={`${LINK} ${className}`}>
      {children ?? cell.name ?? <span className="font-mono text-xs">{cell.uuid}</span>}
    </Link>
  );
}

/** A compute host, linked to its host mapping (the host mappings page, filtered to it). */
export function HostLink({ host, className = '' }: { host: string; className?: string }) {
  return (
    <Link href={hostHref(host)} className={`font-mono text-xs ${LINK} ${className}`}>
      {host}
    </Link>
  );
}

/** Cells one after the other, each linked. */
export function CellLinks({ cells }: { cells: readonly CellSummary[] }) {
  return (
    <>
      {cells.map((c, i) => (
        <span key={c.uuid}>
          {i > 0 ? ', ' : null}
          <CellLink cell={c} />
        </span>
      ))}
    </>
  );
}
