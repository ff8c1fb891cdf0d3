import 'server-only';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { auditTarget, maskText, summarizeInput } from './audit-input';
import type { Principal, Role } from './roles';
import { type AuditListInput, auditListInput } from './inputs';

export type AuditOutcome = 'done' | 'refused' | 'failed';

export interface AuditEntry {
  source: 'console' | 'cli';
  /** null: nobody signed in. */
  principal: Principal | null;
  action: string;
  input: unknown;
  outcome: AuditOutcome;
  reason?: string | null;
  requestId?: string | null;
  exitCode?: number | null;
  /** Overrides the target read from the input. */
  target?: string | null;
}

export async function recordAudit(deps: Pick<Deps, 'api'>, e: AuditEntry): Promise<number> {
  const [row] = await deps.api.sql<{ id: number }[]>`
    insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome, reason, request_id, exit_code)
    values (${e.source}, ${e.principal?.kind ?? 'anonymous'}, ${e.principal?.name ?? '(not signed in)'}, ${e.principal?.role ?? null},
            ${e.action}, ${e.target ?? auditTarget(e.action, e.input)}, ${JSON.stringify(summarizeInput(e.input))}::jsonb,
            ${e.outcome}, ${e.reason ? maskText(e.reason) : null}, ${e.requestId ?? null}, ${e.exitCode ?? null})
    returning id`;
  return Number(row!.id);
}

export interface AuditRow {
  id: number;
  at: Date;
  source: 'console' | 'cli';
  actorKind: Principal['kind'] | 'anonymous';
  actor: string;
  role: Role | null;
  action: string;
  target: string | null;
  input: Record<string, unknown>;
  outcome: AuditOutcome;
  reason: string | null;
  requestId: string | null;
  exitCode: number | null;
}

/**
 * One page, newest first. `actor` and `action` match a prefix (case-insensitive), so
 * "cells." lists every cell action; the next page starts below the last id shown.
 */
export async function listAudit(deps: Pick<Deps, 'api'>, raw: AuditListInput): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  const input = auditListInput.parse(raw);
  const sql = deps.api.sql;
  const like = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
  const rows = await sql<
    {
      id: string;
      at: string;
      source: 'console' | 'cli';
      actor_kind: AuditRow['actorKind'];
      actor: string;
      role: Role | null;
      action: string;
      target: string | null;
      input: Record<string, unknown>;
      outcome: AuditOutcome;
      reason: string | null;
      request_id: string | null;
      exit_code: number | null;
    }[]
  >`
    select id::text, at::text, source, actor_kind, actor, role, action, target, input, outcome, reason, request_id, exit_code
    from cellar.audit_log
    where true
      ${input.actor ? sql`and lower(actor) like ${like(input.actor)}` : sql``}
      ${input.action ? sql`and lower(action) like ${like(input.action)}` : sql``}
      ${input.outcome ? sql`and outcome = ${input.outcome}` : sql``}
      ${input.since ? sql`and at >= (${input.since.toISOString()}::timestamptz at time zone 'utc')` : sql``}
      ${input.before ? sql`and id < ${input.before}` : sql``}
    order by audit_log.id desc
    limit ${input.limit + 1}`;
  const page = rows.slice(0, input.limit).map((r) => ({
    id: Number(r.id),
    at: utcDate(r.at)!,
    source: r.source,
    actorKind: r.actor_kind,
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    input: typeof r.input === 'string' ? (JSON.parse(r.input) as Record<string, unknown>) : r.input,
    outcome: r.outcome,
    reason: r.reason,
    requestId: r.request_id,
    exitCode: r.exit_code,
  }));
  return { rows: page, nextBefore: rows.length > input.limit ? page[page.length - 1]!.id : null };
}
