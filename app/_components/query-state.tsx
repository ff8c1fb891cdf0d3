'use client';

import type { ReactNode } from 'react';
import type { CellSummary, DownCell } from '@/server/cells/cell-ref';
import { CellNotices } from './cell-notices';
import { Button, EmptyBox, ErrorBox, Loading } from './ui';

/** What QueryState reads of a query (a TanStack `useQuery` result fits). */
export interface QueryLike<T, E extends { message: string } = { message: string }> {
  data: T | undefined;
  error: E | null;
  isPending: boolean;
  isError: boolean;
  isFetching: boolean;
  refetch: () => unknown;
}

/** The cells an answer covers: the down ones get CellNotices before the rows (or the empty box). */
export interface CellCoverage {
  down: readonly DownCell[];
  /** Cells still being asked (a page that asks each cell on its own). */
  pending?: readonly CellSummary[];
  answered?: number;
  total?: number;
  /** A Retry that asks that cell alone; without, Retry asks the query again. */
  onRetry?: (cell: DownCell) => void;
  retrying?: (uuid: string) => boolean;
}

/**
 * One query's states, the same on every page: loading, an error with a Retry (the query's
 * refetch), the down cells of the answer, empty, and the data. A page says only what is
 * loading, what "empty" means here, and how to show the rows:
 *
 *   <QueryState query={q} what="host mappings" isEmpty={(d) => d.rows.length === 0} empty="No host mappings yet.">
 *     {(d) => <HostTable rows={d.rows} />}
 *   </QueryState>
 */
export function QueryState<T, E extends { message: string }>({
  query,
  what,
  errorTitle,
  errorActions,
  retry = true,
  loading,
  cells,
  isEmpty,
  empty,
  children,
}: {
  query: QueryLike<T, E>;
  /** What is asked for, in words: "Loading {what}…", and "Could not load {what}" unless errorTitle says otherwise. */
  what: string;
  errorTitle?: string | ((error: E) => string);
  /** Under the error: a way out (back to the first page, back to the list). */
  errorActions?: ReactNode;
  /** Whether a retry can help (not for "not found"). */
  retry?: boolean | ((error: E) => boolean);
  /** In place of "Loading {what}…" (null: nothing while loading). */
  loading?: ReactNode;
  /** The answer's down cells, shown as CellNotices with the same retry. */
  cells?: (data: T) => CellCoverage;
  isEmpty?: (data: T) => boolean;
  /** What "nothing" means on this page: never a blank box. */
  empty?: ReactNode | ((data: T) => ReactNode);
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <>{loading === undefined ? <Loading what={what} /> : loading}</>;
  if (query.isError && query.error) {
    const canRetry = typeof retry === 'function' ? retry(query.error) : retry;
    return (
      <ErrorBox title={(typeof errorTitle === 'function' ? errorTitle(query.error) : errorTitle) ?? `Could not load ${what}`} message={query.error.message}>
        {canRetry || errorActions ? (
          <>
            {canRetry ? (
              <Button onClick={() => void query.refetch()} disabled={query.isFetching}>
                {query.isFetching ? 'Retrying…' : 'Retry'}
              </Button>
            ) : null}
            {errorActions}
          </>
        ) : null}
      </ErrorBox>
    );
  }
  const data = query.data as T;
  const coverage = cells?.(data);
  const body = isEmpty?.(data) ? <EmptyBox>{typeof empty === 'function' ? empty(data) : (empty ?? `No ${what}.`)}</EmptyBox> : children(data);
  return (
    <>
      {coverage ? (
        <CellNotices
          down={coverage.down}
          pending={coverage.pending}
          answered={coverage.answered}
          total={coverage.total}
          onRetry={coverage.onRetry ?? (() => void query.refetch())}
          retrying={coverage.retrying ?? (() => query.isFetching)}
        />
      ) : null}
      {body}
    </>
  );
}
