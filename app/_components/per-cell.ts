'use client';
/**
 * Pages that read every cell ask each cell on its own (one query per cell, all issued at
 * once; the streaming batch link answers each as it is ready): a slow or dead cell holds
 * up only its own part of the page, and a Retry on its notice asks that cell alone and
 * changes only its part (its own cache entry). The frame (every cell mapping, from the
 * api database only) comes first and never waits for a cell.
 */
import { type UseQueryOptions, useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { CellSummary, DownCell } from '@/server/cells/cell-ref';
import { useTRPC } from '../_trpc/client';

import { FRAME_INPUT } from './frame-input';

export { FRAME_INPUT } from './frame-input';

/** Every cell mapping (no cell asked): what a page draws before its cells answer. */
export function useCellsFrame(opts: { refetchInterval?: number | false } = {}) {
  const trpc = useTRPC();
  return useQuery(trpc.cells.list.queryOptions(FRAME_INPUT, opts));
}

/** One cell's part of a page. */
export interface CellPart<T> {
  cell: CellSummary;
  data: T | undefined;
  /** Not answered yet (its first answer is not here). */
  pending: boolean;
  /** Asking it now (first time, a refresh or a Retry). */
  fetching: boolean;
  /** `data` is the answer to the previous query (kept while the new one is asked). */
  placeholder: boolean;
  /** The call itself failed (not the cell: a down cell is an answer). */
  error: { message: string } | null;
  refetch: () => void;
}

const subscribeNever = () => () => {};
const hydratedSnapshot = () => true;
const serverSnapshot = () => false;

/** One query per cell, all at once; `options` builds the query for one cell (its `cellUuids: [uuid]`). */
export function usePerCell<T>(
  cells: readonly CellSummary[],
  // biome-ignore lint/suspicious/noExplicitAny: the tRPC options' error and key types vary per procedure.
  options: (cell: CellSummary) => UseQueryOptions<T, any, T, any>,
): CellPart<T>[] {
  const results = useQueries({ queries: cells.map((c) => options(c)) });
  // The cells' answers stream in with the document (app/_trpc/server.tsx, prefetchEachCell),
  // so the server's HTML and the browser's first render may each hold a different set of
  // them: both show every cell as still being asked, and the answers come right after
  // hydration (otherwise React finds the HTML different and renders the page again).
  const hydrated = useSyncExternalStore(subscribeNever, hydratedSnapshot, serverSnapshot);
  return cells.map((cell, i) => {
    const r = results[i]!;
    if (!hydrated) return { cell, data: undefined, pending: true, fetching: true, placeholder: false, error: null, refetch: () => void r.refetch() };
    return {
      cell,
      data: r.data as T | undefined,
      pending: r.isPending,
      fetching: r.isFetching,
      placeholder: r.isPlaceholderData,
      error: r.error ? { message: String((r.error as { message?: string }).message ?? r.error) } : null,
      refetch: () => void r.refetch(),
    };
  });
}

/** How much of a per-cell page is there: who answered, who is down (with its notice), who is still being asked. */
export interface Coverage {
  down: DownCell[];
  pending: CellSummary[];
  answered: number;
  total: number;
  /** The latest answer's time. */
  asOf: Date | null;
}

/**
 * `downOf` says which cells an answer reports down (usually its own cell or none). A call
 * that failed outright counts as a down cell with the error's message, so it gets a Retry.
 */
export function coverage<T>(parts: readonly CellPart<T>[], downOf: (data: T) => readonly DownCell[], asOfOf?: (data: T) => Date): Coverage {
  const down: DownCell[] = [];
  const pending: CellSummary[] = [];
  let answered = 0;
  let asOf: Date | null = null;
  for (const p of parts) {
    if (p.data === undefined) {
      if (p.error) down.push({ ...p.cell, reason: 'error', message: p.error.message, elapsedMs: 0 });
      else pending.push(p.cell);
      continue;
    }
    const d = downOf(p.data);
    if (d.length > 0) down.push(...d);
    else answered++;
    const at = asOfOf?.(p.data);
    if (at && (!asOf || at > asOf)) asOf = at;
  }
  return { down, pending, answered, total: parts.length, asOf };
}

/** A Retry for one cell: the parts of that cell asked again (one page may have several queries per cell). */
export function retryCell(groups: readonly (readonly CellPart<unknown>[])[]) {
  return {
    onRetry: (cell: { uuid: string }) => {
      for (const parts of groups) for (const p of parts) if (p.cell.uuid === cell.uuid) p.refetch();
    },
    retrying: (uuid: string) => groups.some((parts) => parts.some((p) => p.cell.uuid === uuid && p.fetching)),
  };
}

/**
 * Whether to hold a partial page back a moment: true while some cells have answered, some
 * are still being asked, and the first answer came less than `graceMs` ago. Cells that
 * answer within a moment of each other then show together (no rows jumping into place),
 * while a slow cell holds up the others only for the grace, never for its deadline.
 */
export function useGrace(answered: number, pending: number, graceMs = 50): boolean {
  const [firstAt, setFirstAt] = useState<number | null>(null);
  const [, tick] = useState(0);
  const partial = answered > 0 && pending > 0;
  useEffect(() => {
    if (!partial) {
      setFirstAt(null);
      return;
    }
    const started = firstAt ?? Date.now();
    if (firstAt === null) setFirstAt(started);
    const left = graceMs - (Date.now() - started);
    if (left <= 0) return;
    const t = setTimeout(() => tick((n) => n + 1), left);
    return () => clearTimeout(t);
  }, [partial, firstAt, graceMs]);
  return partial && (firstAt === null || Date.now() - firstAt < graceMs);
}
