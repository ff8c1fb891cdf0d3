import { parseAsBoolean, parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { AUDIT_OUTCOMES, AUDIT_PAGE_SIZES, AUDIT_SORT_DIRS, AUDIT_SORT_KEYS, type AuditOutcome } from '@/server/auth/contract';

/**
 * The audit page's state, all in the URL: filters, the order (the table's own `sort` and
 * `dir`, which the server sorts by), the keyset marker and the page size.
 */
export const auditSearchParams = {
  actor: parseAsString,
  action: parseAsString,
  outcome: parseAsStringLiteral(AUDIT_OUTCOMES),
  /** UTC, as typed in the "since" box (YYYY-MM-DDTHH:MM). */
  since: parseAsString,
  sort: parseAsStringLiteral(AUDIT_SORT_KEYS),
  dir: parseAsStringLiteral(AUDIT_SORT_DIRS),
  marker: parseAsString,
  /** The page before the marker (Previous), not the one after it. */
  back: parseAsBoolean.withDefault(false),
  size: parseAsInteger.withDefault(50),
};

export interface AuditSearch {
  actor: string | null;
  action: string | null;
  outcome: AuditOutcome | null;
  since: string | null;
  sort: (typeof AUDIT_SORT_KEYS)[number] | null;
  dir: (typeof AUDIT_SORT_DIRS)[number] | null;
  marker: string | null;
  back: boolean;
  size: number;
}

/** Newest first when the URL names no order. */
export const DEFAULT_AUDIT_SORT = { id: 'at', dir: 'desc' } as const;

/** A "since" as typed (UTC unless it names a zone), or null when it is not a time. */
export function sinceDate(s: string | null): Date | null {
  if (!s) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * The query input for a URL state: the server prefetch and the client build the same one.
 * A sort named without a direction is ascending, as the table shows it.
 */
export function auditInput(s: AuditSearch) {
  return {
    actor: s.actor?.trim() || null,
    action: s.action?.trim() || null,
    outcome: s.outcome,
    since: sinceDate(s.since),
    sort: s.sort ?? DEFAULT_AUDIT_SORT.id,
    dir: s.dir ?? (s.sort ? 'asc' : DEFAULT_AUDIT_SORT.dir),
    marker: s.marker || null,
    back: Boolean(s.marker) && s.back,
    limit: (AUDIT_PAGE_SIZES as readonly number[]).includes(s.size) ? s.size : 50,
  };
}
