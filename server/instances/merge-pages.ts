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
