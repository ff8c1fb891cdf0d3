import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { AUDIT_OUTCOMES, type AuditOutcome } from '@/server/auth/contract';

/** The audit page's state, all in the URL: filters, the keyset marker and the page size. */
export const auditSearchParams = {
  actor: parseAsString,
  action: parseAsString,
  outcome: parseAsStringLiteral(AUDIT_OUTCOMES),
  /** UTC, as typed in the "since" box (YYYY-MM-DDTHH:MM). */
  since: parseAsString,
  before: parseAsInteger,
  size: parseAsInteger.withDefault(50),
};

export interface AuditSearch {
  actor: string | null;
  action: string | null;
  outcome: AuditOutcome | null;
  since: string | null;
  before: number | null;
  size: number;
}

function sinceDate(s: string | null): Date | null {
  if (!s) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The query input for a URL state: the server prefetch and the client build the same one. */
export function auditInput(s: AuditSearch) {
  return {
    actor: s.actor?.trim() || null,
    action: s.action?.trim() || null,
    outcome: s.outcome,
    since: sinceDate(s.since),
    before: s.before,
    limit: [25, 50, 100, 200].includes(s.size) ? s.size : 50,
  };
}
