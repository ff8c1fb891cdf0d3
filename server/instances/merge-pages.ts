/**
 * The cross-cell page from each cell's own page (browser-safe, pure): the instances page
 * asks every cell on its own (`cellUuids: [uuid]`, each cell's first `limit` rows after
 * the marker) and merges them here as they answer, in the server's own order
 * (comparePositions over `sortValue`, then uuid), so a slow cell holds up only its rows.
 * With every cell's page in, the result is the page the server would have merged: the
 * first `limit` rows of all, the next marker at the last of them when any cell has more.
 */
import type { InstanceListPage } from './list-instances';
import { comparePositions, type SortSpec } from './sort-order';

export function mergeCellPages(pages: readonly InstanceListPage[], opts: { limit: number; sort: SortSpec; asOf: Date }): InstanceListPage {
  const { limit, sort } = opts;
  const order = (a: InstanceListPage['rows'][number], b: InstanceListPage['rows'][number]) => comparePositions(sort.dir, a, b);
  let all = pages.flatMap((p) => p.rows).sort(order);
  // A cell that failed on a refill is complete only up to its last row: nothing after it can be shown yet.
  const cuts = pages.filter((p) => p.endedEarly && p.rows.length > 0).map((p) => p.rows[p.rows.length - 1]!);
  const cut = cuts.sort(order)[0];
  if (cut) all = all.filter((r) => order(r, cut) <= 0);
  const rows = all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => p.nextMarker !== null) || cuts.length > 0;
  return {
    rows,
    unknown: pages.flatMap((p) => p.unknown),
    down: pages.flatMap((p) => p.down),
    answered: pages.reduce((n, p) => n + p.answered, 0),
    total: pages.reduce((n, p) => n + p.total, 0),
    nextMarker: more && rows.length > 0 ? rows[rows.length - 1]!.uuid : null,
    endedEarly: pages.some((p) => p.endedEarly),
    limit,
    sort,
    batchSize: Math.max(0, ...pages.map((p) => p.batchSize)),
    rounds: pages.reduce((n, p) => n + p.rounds, 0),
    asOf: new Date(Math.max(opts.asOf.getTime(), ...pages.map((p) => p.asOf.getTime()))),
  };
}

/**
 * For a render that sends each cell's page as the cell answers (the instances page's
 * server render): keeps of each page only the rows that can still be on the merged page.
 * A row behind the first `limit` rows of the pages seen so far (this one included) is
 * behind them in the merge of every page too, so mergeCellPages gives the same page with
 * or without it; at 75 cells that was 3,000 rows sent for the 50 shown. A page that loses
 * rows keeps at least its first, and says it has more after its last (nextMarker), as
 * the cell does.
 */
export function mergedPageTrimmer(opts: { limit: number; sort: SortSpec }): (page: InstanceListPage) => InstanceListPage {
  const order = (a: InstanceListPage['rows'][number], b: InstanceListPage['rows'][number]) => comparePositions(opts.sort.dir, a, b);
  let best: InstanceListPage['rows'] = [];
  return (page) => {
    best = [...best, ...page.rows].sort(order).slice(0, opts.limit);
    const last = best.length === opts.limit ? best[best.length - 1]! : null;
    if (!last) return page;
    const kept = page.rows.filter((r, i) => i === 0 || order(r, last) <= 0);
    if (kept.length === page.rows.length) return page;
    return { ...page, rows: kept, nextMarker: kept[kept.length - 1]!.uuid };
  };
}
