'use client';

import { cellLabel, type CellSummary, type DownCell, type DownReason } from '@/server/cells/cell-ref';
import { useEffect, useRef, useState } from 'react';
import { ClockTime } from './time';

const REASON_TEXT: Record<DownReason, string> = {
  timeout: 'did not answer in time',
  refused: 'refused the connection',
  auth: 'rejected our credentials',
  error: 'returned an error',
};

const NOTICE = 'rounded border px-3 py-2 text-sm';
const AMBER = 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100';

/**
 * The one down-cell notice: one calm, collapsible notice per cell that did not answer
 * (why, how long it took, since when and when it last answered, the message), with a
 * Retry that asks that cell again; and one line per cell still being asked. The rows of
 * the others render meanwhile. `answered` and `total` say how much of the page is there
 * ("Showing 2 of 3 cells").
 */
export function CellNotices({
  down,
  pending = [],
  answered,
  total,
  onRetry,
  retrying,
}: {
  down: readonly DownCell[];
  /** Cells still being asked: their part of the page is not there yet. */
  pending?: readonly CellSummary[];
  answered?: number;
  total?: number;
  /** Ask that cell again (only that cell: its part of the page is what changes). */
  onRetry?: (cell: DownCell) => void;
  /** Whether that cell is being asked again now. */
  retrying?: (uuid: string) => boolean;
}) {
  const asking = useAfterAMoment(pending);
  if (down.length === 0 && asking.length === 0) return null;
  return (
    <section aria-label="Cells that did not answer" className="mb-4 space-y-2">
      {asking.map((c) => (
        <p
          key={c.uuid}
          role="status"
          data-cell-notice={c.uuid}
          data-state="asking"
          className={`${NOTICE} border-zinc-200 bg-zinc-50 text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300`}
        >
          Asking <span className="font-medium">{cellLabel(c)}</span>… no answer yet; the other cells are shown as they answer.
        </p>
      ))}
      {down.map((c) => {
        const busy = retrying?.(c.uuid) ?? false;
        return (
          <details key={c.uuid} role="alert" data-cell-notice={c.uuid} data-state="down" className={`${NOTICE} ${AMBER}`}>
            <summary className="cursor-pointer">
              <span className="font-medium">{cellLabel(c)}</span> {REASON_TEXT[c.reason] ?? 'is down'} ({c.reason}, {c.elapsedMs} ms).
              {answered !== undefined && total !== undefined ? ` Showing ${answered} of ${total} cells.` : null}
              {onRetry ? (
                <button
                  type="button"
                  onClick={(e) => {
                    // The button sits in the summary: it must not toggle the notice.
                    e.preventDefault();
                    onRetry(c);
                  }}
                  disabled={busy}
                  aria-label={`Retry ${cellLabel(c)}`}
                  className="ml-3 rounded border border-amber-400 px-2 py-0.5 text-xs hover:bg-amber-100 disabled:opacity-60 dark:hover:bg-amber-900"
                >
                  {busy ? 'Retrying…' : 'Retry'}
                </button>
              ) : null}
              <DownHistory c={c} />
            </summary>
            <p className="mt-1 font-mono text-xs">
              cell {c.uuid}: {c.message}
            </p>
          </details>
        );
      })}
    </section>
  );
}

/** How long a cell is asked before its "Asking…" line shows: the cells that answer at once never flash one. */
const ASKING_AFTER_MS = 250;

/** The cells that have been pending for a moment: each shows from ASKING_AFTER_MS after it was first seen pending. */
function useAfterAMoment(pending: readonly CellSummary[]): CellSummary[] {
  const since = useRef(new Map<string, number>());
  const [, tick] = useState(0);
  const now = Date.now();
  const seen = since.current;
  for (const uuid of [...seen.keys()]) if (!pending.some((c) => c.uuid === uuid)) seen.delete(uuid);
  for (const c of pending) if (!seen.has(c.uuid)) seen.set(c.uuid, now);
  const waiting = pending.filter((c) => now - seen.get(c.uuid)! < ASKING_AFTER_MS);
  const next = waiting.length ? Math.min(...waiting.map((c) => seen.get(c.uuid)! + ASKING_AFTER_MS - now)) : null;
  useEffect(() => {
    if (next === null) return;
    const t = setTimeout(() => tick((n) => n + 1), Math.max(0, next));
    return () => clearTimeout(t);
  }, [next]);
  return pending.filter((c) => now - seen.get(c.uuid)! >= ASKING_AFTER_MS);
}

/** "Down since 09:12:03 UTC (timeout); last answered 09:11:58 UTC.": what the memory of cell health knows. */
function DownHistory({ c }: { c: DownCell }) {
  if (!c.since && !c.lastAnsweredAt && !c.fromMemory) return null;
  return (
    <span className="block text-xs" data-down-history="">
      {c.since ? (
        <>
          Down since <ClockTime value={c.since} /> ({c.reason})
        </>
      ) : (
        <>Down ({c.reason})</>
      )}
      {c.lastAnsweredAt ? (
        <>
          ; last answered <ClockTime value={c.lastAnsweredAt} />
        </>
      ) : (
        '; no answer on record'
      )}
      .{c.fromMemory ? ' Known down a moment ago, so not asked again yet.' : null}
    </span>
  );
}

/**
 * "7 of 8 cells answered · as of 12:00:03 UTC": how much of a fan-out page is there, and
 * when it was read; "· asking 1…" while cells are still being asked. The same figures as
 * data attributes, for scripts that wait for a page (e2e suites, `npm run bench`).
 */
export function CellsAnswered({ answered, total, asOf, asking = 0 }: { answered: number; total: number; asOf: Date; asking?: number }) {
  return (
    <span role="status" aria-live="polite" data-cells-answered={answered} data-cells-total={total} data-cells-asking={asking}>
      {answered} of {total} cells answered · as of <ClockTime value={asOf} />
      {asking > 0 ? ` · asking ${asking}…` : null}
    </span>
  );
}
