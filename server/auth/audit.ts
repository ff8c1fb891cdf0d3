import 'server-only';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { decodeMarker, encodeMarker, isTimestampText, type MarkerOrder, markerNotOurs } from '../keyset';
import { PROTOTYPE_KEYS, storableText } from '../input-guard';
import { auditTarget, maskText, summarizeInput } from './audit-input';
import type { Principal, Role } from './roles';
import { type AuditListInput, type AuditOutcome, auditListInput } from './inputs';

export type { AuditOutcome } from './inputs';

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
  /** The client address (console requests). */
  address?: string | null;
}

/** The columns of a row, every text storable and bounded (server/input-guard.ts). */
function columns(e: Omit<AuditEntry, 'outcome'>) {
  const text = (s: string | null | undefined, max: number) => (s ? storableText(s.slice(0, max)) : null);
  return {
    source: e.source,
    actorKind: e.principal?.kind ?? 'anonymous',
    actor: text(e.principal?.name, 255) ?? '(not signed in)',
    role: e.principal?.role ?? null,
    action: text(e.action, 255) ?? '(none)',
    target: text(e.target ?? auditTarget(e.action, e.input), 2000),
    input: JSON.stringify(summarizeInput(e.input)),
    reason: e.reason ? maskText(e.reason) : null,
    requestId: text(e.requestId, 64),
    exitCode: e.exitCode ?? null,
    address: text(e.address, 64),
  };
}

/** One finished row: the outcome is known when it is written. */
export async function recordAudit(deps: Pick<Deps, 'api'>, e: AuditEntry): Promise<number> {
  const c = columns(e);
  const [row] = await deps.api.sql<{ id: number }[]>`
    insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome, reason, request_id, exit_code, address)
    values (${c.source}, ${c.actorKind}, ${c.actor}, ${c.role}, ${c.action}, ${c.target}, ${c.input}::jsonb,
            ${e.outcome}, ${c.reason}, ${c.requestId}, ${c.exitCode}, ${c.address})
    returning id`;
  return Number(row!.id);
}

/**
 * Finished rows for a set of changes (a repair's batch: one row per changed row), in one
 * statement, each as recordAudit would write it. Nothing for an empty set.
 */
export async function recordAudits(deps: Pick<Deps, 'api'>, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({ ...columns(e), outcome: e.outcome }));
  await deps.api.sql`
    insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome, reason, request_id, exit_code, address)
    select r.source, r."actorKind", r.actor, r.role, r.action, r.target, r.input::jsonb, r.outcome, r.reason, r."requestId", r."exitCode", r.address
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
      source text, "actorKind" text, actor text, role text, action text, target text, input text,
      outcome text, reason text, "requestId" text, "exitCode" int, address text)`;
}

/**
 * The row of a write about to run, as 'started'. A write runs only after this row is
 * committed, so there is no write without its row: if the row cannot be written the write
 * is not done; if the process stops half way the row stays 'started'.
 */
export function beginAudit(deps: Pick<Deps, 'api'>, e: Omit<AuditEntry, 'outcome' | 'reason' | 'exitCode'>): Promise<number> {
  return recordAudit(deps, { ...e, outcome: 'started' });
}

/** The outcome of a write begun with beginAudit. */
export async function finishAudit(
  deps: Pick<Deps, 'api'>,
  id: number,
  f: { outcome: Exclude<AuditOutcome, 'started'>; reason?: string | null; exitCode?: number | null },
): Promise<void> {
  await deps.api.sql`
    update cellar.audit_log set outcome = ${f.outcome}, reason = ${f.reason ? maskText(f.reason) : null}, exit_code = ${f.exitCode ?? null}
    where id = ${id}`;
}

/**
 * A call refused before anything ran (no session, a role too low, input refused at the
 * boundary): one row per address, actor, action and UTC minute, counting the calls, so a
 * flood of refused calls is a few rows, not one per call. `replaces` is the 'started'
 * row of the call, removed in the same statement.
 */
export async function recordRefusal(deps: Pick<Deps, 'api'>, e: Omit<AuditEntry, 'outcome'>, opts: { replaces?: number } = {}): Promise<number> {
  const c = columns(e);
  const key = `|${c.address ?? '-'}|${c.actorKind}:${c.actor}|${c.action}`;
  const [row] = await deps.api.sql<{ id: number }[]>`
    with gone as (delete from cellar.audit_log where id = ${opts.replaces ?? null})
    insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome, reason, request_id, exit_code, address, aggregate_key)
    values (${c.source}, ${c.actorKind}, ${c.actor}, ${c.role}, ${c.action}, ${c.target}, ${c.input}::jsonb,
            'refused', ${c.reason}, ${c.requestId}, ${c.exitCode}, ${c.address},
            to_char(date_trunc('minute', now() at time zone 'utc'), 'YYYY-MM-DD"T"HH24:MI') || ${key})
    on conflict (aggregate_key) where aggregate_key is not null
    do update set repeat_count = audit_log.repeat_count + 1, last_at = (now() at time zone 'utc')
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
  address: string | null;
  /** How many calls the row stands for (refusals before anything ran are counted per minute). */
  repeatCount: number;
  /** When the last of them came, when there was more than one. */
  lastAt: Date | null;
}

/**
 * A stored input as plain data, whatever a row holds: keys that could reach a prototype
 * are dropped as it is parsed (rows written before the audit input was made plain JSON
 * may hold them, and superjson refuses to send an object that does).
 */
function plainInput(text: string): Record<string, unknown> {
  const value = JSON.parse(text, (key, v) => (PROTOTYPE_KEYS.has(key) ? undefined : v)) as unknown;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

export interface AuditPage {
  rows: AuditRow[];
  /** Marker of the next page in this order, or null on the last page. */
  next: string | null;
  /** Marker of the previous page (with `back`), or null on the first page. */
  prev: string | null;
  /** Newest first only: the id below which the next page starts (the `before` of scripts), or null. */
  nextBefore: number | null;
}

const AUDIT_ORDER_WORDS = { desc: 'time, newest first', asc: 'time, oldest first' } as const;
const describeOrder = (o: MarkerOrder) => (o.key === 'at' ? AUDIT_ORDER_WORDS[o.dir] : null);

/**
 * One page in time order, newest first unless asked otherwise, in keyset pages on (at, id):
 * a marker names one row, so pages neither repeat nor skip while rows are added. `actor`
 * and `action` match a prefix (case-insensitive), so "cells." lists every cell action.
 */
export async function listAudit(deps: Pick<Deps, 'api'>, raw: AuditListInput): Promise<AuditPage> {
  const input = auditListInput.parse(raw);
  const sql = deps.api.sql;
  const like = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
  const order: MarkerOrder = { key: input.sort, dir: input.dir };
  const back = Boolean(input.marker) && input.back;
  let marker = sql``;
  if (input.marker) {
    const [at, id] = decodeMarker(input.marker, order, 2, describeOrder);
    if (!isTimestampText(at!) || !/^\d{1,18}$/.test(id!)) throw markerNotOurs();
    // Forwards in ascending order, or backwards in descending order, is "later than".
    const later = (order.dir === 'asc') !== back;
    marker = later ? sql`and (at, id) > (${at!}::timestamp, ${id!}::bigint)` : sql`and (at, id) < (${at!}::timestamp, ${id!}::bigint)`;
  }
  const newestFirst = (order.dir === 'desc') !== back;
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
      input: string;
      outcome: AuditOutcome;
      reason: string | null;
      request_id: string | null;
      exit_code: number | null;
      address: string | null;
      repeat_count: number;
      last_at: string | null;
    }[]
  >`
    select id::text, at::text, source, actor_kind, actor, role, action, target, input::text as input, outcome, reason, request_id, exit_code,
           address, repeat_count, last_at::text
    from cellar.audit_log
    where true
      ${input.actor ? sql`and lower(actor) like ${like(input.actor)}` : sql``}
      ${input.action ? sql`and lower(action) like ${like(input.action)}` : sql``}
      ${input.outcome ? sql`and outcome = ${input.outcome}` : sql``}
      ${input.since ? sql`and at >= (${input.since.toISOString()}::timestamptz at time zone 'utc')` : sql``}
      ${input.before ? sql`and id < ${input.before}` : sql``}
      ${marker}
    order by ${newestFirst ? sql`audit_log.at desc, audit_log.id desc` : sql`audit_log.at asc, audit_log.id asc`}
    limit ${input.limit + 1}`;
  const more = rows.length > input.limit;
  const taken = rows.slice(0, input.limit);
  if (back) taken.reverse();
  const page = taken.map((r) => ({
    id: Number(r.id),
    at: utcDate(r.at)!,
    source: r.source,
    actorKind: r.actor_kind,
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    input: plainInput(r.input),
    outcome: r.outcome,
    reason: r.reason,
    requestId: r.request_id,
    exitCode: r.exit_code,
    address: r.address,
    repeatCount: r.repeat_count,
    lastAt: utcDate(r.last_at),
  }));
  const markerOf = (r: (typeof taken)[number] | undefined) => (r ? encodeMarker(order, [r.at, r.id]) : null);
  // Going forwards there is a previous page exactly when we started at a marker; going back there is a next page.
  const hasNext = back ? true : more;
  const hasPrev = back ? more : Boolean(input.marker);
  return {
    rows: page,
    next: hasNext ? markerOf(taken[taken.length - 1]) : null,
    prev: hasPrev ? markerOf(taken[0]) : null,
    nextBefore: !back && more && order.dir === 'desc' ? page[page.length - 1]!.id : null,
  };
}
