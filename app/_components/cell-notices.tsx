'use client';

import { cellLabel, type DownCell, type DownReason } from '@/server/cells/cell-ref';
import { ClockTime } from './time';

const REASON_TEXT: Record<DownReason, string> = {
  timeout: 'did not answer in time',
  refused: 'refused the connection',
  auth: 'rejected our credentials',
  error: 'returned an error',
};

/**
 * The one down-cell notice: one calm, collapsible notice per cell that did not answer
 * (why, how long it took, the message), with a retry; the rows of the others still render.
 * `answered` and `total` say how much of the page is there ("Showing 2 of 3 cells").
 */
export function CellNotices({ down, answered, total, onRetry }: { down: readonly DownCell[]; answered?: number; total?: number; onRetry?: () => void }) {
  if (down.length === 0) return null;
  return (
    <section aria-label="Cells that did not answer" className="mb-4 space-y-2">
      {down.map((c) => (
        <details
          key={c.uuid}
          role="alert"
          className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          <summary className="cursor-pointer">
            <span className="font-medium">{cellLabel(c)}</span> {REASON_TEXT[c.reason] ?? 'is down'} ({c.reason}, {c.elapsedMs} ms).
            {answered !== undefined && total !== undefined ? ` Showing ${answered} of ${total} cells.` : null}
            {onRetry ? (
              <button
                type="button"
                onClick={onRetry}
                className="ml-3 rounded border border-amber-400 px-2 py-0.5 text-xs hover:bg-amber-100 dark:hover:bg-amber-900"
              >
                Retry
              </button>
            ) : null}
          </summary>
          <p className="mt-1 font-mono text-xs">
            cell {c.uuid}: {c.message}
          </p>
        </details>
      ))}
    </section>
  );
}

/** "7 of 8 cells answered · as of 12:00:03 UTC": how much of a fan-out page is there, and when it was read. */
export function CellsAnswered({ answered, total, asOf }: { answered: number; total: number; asOf: Date }) {
  return (
    <span role="status" aria-live="polite">
      {answered} of {total} cells answered · as of <ClockTime value={asOf} />
    </span>
  );
}
