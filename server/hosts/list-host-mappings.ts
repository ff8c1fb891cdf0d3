import 'server-only';
import { and, count, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { cellMappings, hostMappings } from '@/db/api/schema';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { cellNotFound, type CellSummary } from '../cells/cell-ref';

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
  /** Keyset markers: the page after this host, or the page before it. */
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

/**
 * Host mappings with their cell, sorted by host as nova's list_hosts, filtered by cell and
 * host text, in keyset pages (marker = a host name: the unique key, so pages never shift
 * or repeat when mappings are added meanwhile). The api database only: no cell is asked.
 */
export async function listHostMappings(deps: Deps, q: HostMappingsQuery = {}): Promise<HostMappingsPage> {
  const filters: SQL[] = [];
  if (q.cellUuid) {
    const [cell] = await deps.api.db.select({ id: cellMappings.id }).from(cellMappings).where(eq(cellMappings.uuid, q.cellUuid));
    if (!cell) throw cellNotFound(q.cellUuid, 1);
    filters.push(eq(hostMappings.cellId, cell.id));
  }
  if (q.hostContains) filters.push(ilike(hostMappings.host, likeContains(q.hostContains)));

  const backwards = Boolean(q.before) && !q.after;
  // Byte order, as nova sorts host names in Python, whatever the server's locale: the
  // markers compare in the same order the pages are sorted in.
  const host = sql`${hostMappings.host} collate "C"`;
  const marker = backwards ? sql`${host} < ${q.before}` : q.after ? sql`${host} > ${q.after}` : undefined;
  const select = deps.api.db
    .select({ host: hostMappings.host, createdAt: hostMappings.createdAt, uuid: cellMappings.uuid, name: cellMappings.name })
    .from(hostMappings)
    .innerJoin(cellMappings, eq(cellMappings.id, hostMappings.cellId))
    .where(and(...filters, marker))
    .orderBy(backwards ? sql`${host} desc` : sql`${host} asc`);
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
  const first = mapped[0]?.host ?? null;
  const last = mapped[mapped.length - 1]?.host ?? null;
  // Going forwards there is a previous page exactly when we started after a marker; going
  // backwards there is a next page (the marker's own row at least).
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : Boolean(q.after);
  return {
    rows: mapped,
    total: totals?.n ?? 0,
    nextAfter: hasNext ? last : null,
    prevBefore: hasPrev ? first : null,
  };
}
