'use client';

export interface DownCell {
  uuid: string;
  name: string | null;
  reason: string | null;
  message: string | null;
  latencyMs: number;
}

const REASON_TEXT: Record<string, string> = {
  timeout: 'did not answer in time',
  refused: 'refused the connection',
  auth: 'rejected our credentials',
  error: 'returned an error',
};

/** One calm, collapsible notice per cell that did not answer; the rows of the others still render. */
export function CellNotices({ down, answered, total, onRetry }: { down: DownCell[]; answered: number; total: number; onRetry?: () => void }) {
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
            <span className="font-medium">{c.name ?? c.uuid}</span> {REASON_TEXT[c.reason ?? 'error'] ?? 'is down'} ({c.reason},{' '}
            {c.latencyMs} ms). Showing {answered} of {total} cells.
            {onRetry ? (
              <button type="button" onClick={onRetry} className="ml-3 rounded border border-amber-400 px-2 py-0.5 text-xs hover:bg-amber-100 dark:hover:bg-amber-900">
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
