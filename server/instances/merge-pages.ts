/**
 * The cross-cell page from each cell's own page (browser-safe, pure): the instances page
 * asks every cell on its own (`cellUuids: [uuid]`, each cell's first `limit` rows after
 * the marker, or its last `limit` rows before it) and merges them here as they answer, in
 * the server's own order (comparePositions over `sortValue`, then uuid), so a slow cell
 * holds up only its rows. With every cell's page in, the result is the page the server
 * would have merged: the first `limit` rows of all after the marker (the last `limit`
 * before it, for a previous page), with a marker on each side where there are more.
 */
import type { InstanceListPage } from './list-instances';
import { comparePositions, type SortSpec } from './sort-order';

type Row = InstanceListPage['rows'][number];

export interface MergeSpec {
  limit: number;
  sort: SortSpec;
  /** The page before a marker (`before`): its last `limit` rows are the page. */
  backward?: boolean;
}

export function mergeCellPages(pages: readonly InstanceListPage[], opts: MergeSpec & { asOf: Date }): InstanceListPage {
  const { limit, sort } = opts;
  const backward = opts.backward ?? false;
  const order = (a: Row, b: Row) => comparePositions(sort.dir, a, b);
  let all = pages.flatMap((p) => p.rows).sort(order);
  // A cell that failed on a refill is complete only up to its last row read (its first
  // shown, backward): nothing beyond it can be shown yet.
  const cuts = pages.filter((p) => p.endedEarly && p.rows.length > 0).map((p) => (backward ? p.rows[0]! : p.rows[p.rows.length - 1]!));
  if (cuts.length > 0) {
    const cut = cuts.sort(order)[backward ? cuts.length - 1 : 0]!;
    all = all.filter((r) => (backward ? order(r, cut) >= 0 : order(r, cut) <= 0));
  }
  const rows = backward ? all.slice(Math.max(0, all.length - limit)) : all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => (backward ? p.prevMarker : p.nextMarker) !== null) || cuts.length > 0;
  const first = rows[0]?.uuid ?? null;
  const last = rows[rows.length - 1]?.uuid ?? null;
  // After a marker every cell's page has a way back (its first row, or the marker when it has none); the first page has none.
  const back = pages.find((p) => p.prevMarker !== null)?.prevMarker ?? null;
  return {
    rows,
    unknown: pages.flatMap((p) => p.unknown),
    down: pages.flatMap((p) => p.down),
    answered: pages.reduce((n, p) => n + p.answered, 0),
    total: pages.reduce((n, p) => n + p.total, 0),
    nextMarker: backward ? last : more ? last : null,
    prevMarker: backward ? (more ? first : null) : back ? (first ?? back) : null,
    backward,
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
 * the cell does. Backward (a previous page) the same from the other end.
 */
export function mergedPageTrimmer(opts: MergeSpec): (page: InstanceListPage) => InstanceListPage {
  const backward = opts.backward ?? false;
  // Backward, "ahead" is nearer the marker: the mirrored order.
  const order = (a: Row, b: Row) => (backward ? comparePositions(opts.sort.dir, b, a) : comparePositions(opts.sort.dir, a, b));
  let best: Row[] = [];
  return (page) => {
    best = [...best, ...page.rows].sort(order).slice(0, opts.limit);
    const edge = best.length === opts.limit ? best[best.length - 1]! : null;
    if (!edge) return page;
    const nearest = backward ? page.rows.length - 1 : 0;
    const kept = page.rows.filter((r, i) => i === nearest || order(r, edge) <= 0);
    if (kept.length === page.rows.length) return page;
    return backward ? { ...page, rows: kept, prevMarker: kept[0]!.uuid } : { ...page, rows: kept, nextMarker: kept[kept.length - 1]!.uuid };
  };
}
