import 'server-only';
import { and, count, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { cellMappings, hostMappings } from '@/db/api/schema';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { cellNotFound, type CellSummary } from '../cells/cell-ref';
import { decodeMarker, encodeMarker, isTimestampText, type MarkerOrder, markerNotOurs, type SortDir } from '../keyset';
import { HOST_SORT_WORDS, type HostSortKey } from './host-sort';

export interface HostMappingRow {
  host: string;
  cell: CellSummary & { isCell0: boolean };
  createdAt: Date | null;
}

export interface HostMappingsQuery {
  /** Only this cell's mappings (nova's list_hosts --cell_uuid). */
  cellUuid?: string | null;
  /** Host names containing this text, case-insensitive. */
  hostContains?: string | null;
  /** The order (default: by host, as nova's list_hosts). */
  sort?: { key: HostSortKey; dir: SortDir } | null;
  /** Keyset markers made by this list under the same order: the page after that row, or the page before it. */
  after?: string | null;
  before?: string | null;
  /** Page size; none = every mapping (the CLI). */
  limit?: number | null;
}

export interface HostMappingsPage {
  rows: HostMappingRow[];
  /** How many mappings match the filters (all pages). */
  total: number;
  /** Marker for the next page (its `after`), or null on the last page. */
  nextAfter: string | null;
  /** Marker for the previous page (its `before`), or null on the first page. */
  prevBefore: string | null;
}

/** LIKE's own characters in user text match themselves, not "any". */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const describeOrder = (o: MarkerOrder) => {
  const w = HOST_SORT_WORDS[o.key as HostSortKey];
  return w ? `${w.name}, ${w[o.dir]}` : null;
};

/**
 * Host mappings with their cell, filtered by cell and host text, sorted by host (nova's
 * list_hosts), by cell or by mapped-since, in keyset pages. Every order ends with the host
 * (the unique key), so it is total and a marker names one row: pages never shift or repeat
 * when mappings are added meanwhile. Text sorts in byte order, as nova sorts host names in
 * Python, whatever the server's locale; a mapping without created_at sorts last either
 * way. The api database only: no cell is asked.
 */
export async function listHostMappings(deps: Deps, q: HostMappingsQuery = {}): Promise<HostMappingsPage> {
  const filters: SQL[] = [];
  if (q.cellUuid) {
    const [cell] = await deps.api.db.select({ id: cellMappings.id }).from(cellMappings).where(eq(cellMappings.uuid, q.cellUuid));
    if (!cell) throw cellNotFound(q.cellUuid, 1);
    filters.push(eq(hostMappings.cellId, cell.id));
  }
  if (q.hostContains) filters.push(ilike(hostMappings.host, likeContains(q.hostContains)));

  const order: MarkerOrder = { key: q.sort?.key ?? 'host', dir: q.sort?.dir ?? 'asc' };
  const host = sql`${hostMappings.host} collate "C"`;
  // Every key is one direction, so a row comparison is the keyset condition.
  const keys: SQL[] =
    order.key === 'cell'
      ? [sql`coalesce(${cellMappings.name}, ${cellMappings.uuid}) collate "C"`, host]
      : order.key === 'created_at'
        ? [sql`coalesce(${hostMappings.createdAt}, ${order.dir === 'asc' ? sql`'infinity'` : sql`'-infinity'`}::timestamp)`, host]
        : [host];
  const casts: SQL[] = order.key === 'created_at' ? [sql`::timestamp`, sql``] : keys.map(() => sql``);
  const backwards = Boolean(q.before) && !q.after;
  const markerText = q.after || q.before;
  let marker: SQL | undefined;
  if (markerText) {
    const values = decodeMarker(markerText, order, keys.length, describeOrder);
    if (order.key === 'created_at' && !isTimestampText(values[0]!, { infinity: true })) throw markerNotOurs();
    // Forwards in ascending order, or backwards in descending order, is "greater than".
    const greater = (order.dir === 'asc') !== backwards;
    const row = sql.join(keys, sql`, `);
    const at = sql.join(
      values.map((v, i) => sql`${v}${casts[i]}`),
      sql`, `,
    );
    marker = greater ? sql`(${row}) > (${at})` : sql`(${row}) < (${at})`;
  }
  const reversed = (order.dir === 'desc') !== backwards;
  const select = deps.api.db
    .select({
      host: hostMappings.host,
      createdAt: hostMappings.createdAt,
      uuid: cellMappings.uuid,
      name: cellMappings.name,
      // The keys as the database compares them, for the markers (a timestamp's text keeps its microseconds).
      k0: sql<string>`(${keys[0]!})::text`,
    })
    .from(hostMappings)
    .innerJoin(cellMappings, eq(cellMappings.id, hostMappings.cellId))
    .where(and(...filters, marker))
    .orderBy(...keys.map((k) => (reversed ? sql`${k} desc` : sql`${k} asc`)));
  const [rows, [totals]] = await Promise.all([
    q.limit ? select.limit(q.limit + 1) : select,
    deps.api.db
      .select({ n: count() })
      .from(hostMappings)
      .where(and(...filters)),
  ]);

  const more = Boolean(q.limit) && rows.length > q.limit!;
  const page = more ? rows.slice(0, q.limit!) : rows;
  if (backwards) page.reverse();
  const mapped = page.map(
    (r): HostMappingRow => ({ host: r.host, cell: { uuid: r.uuid, name: r.name, isCell0: isCell0(r.uuid) }, createdAt: utcDate(r.createdAt) }),
  );
  const markerOf = (r: (typeof page)[number] | undefined) => (r ? encodeMarker(order, keys.length === 1 ? [r.host] : [r.k0, r.host]) : null);
  // Going forwards there is a previous page exactly when we started after a marker; going
  // backwards there is a next page (the marker's own row at least).
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : Boolean(q.after);
  return {
    rows: mapped,
    total: totals?.n ?? 0,
    nextAfter: hasNext ? markerOf(page[page.length - 1]) : null,
    prevBefore: hasPrev ? markerOf(page[0]) : null,
  };
}
