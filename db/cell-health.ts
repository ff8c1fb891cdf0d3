import 'server-only';
/**
 * The memory of cell health (cellar.cell_health in the api database), shared by every
 * console process and the CLI: per cell the last success and failure, the reason, the
 * consecutive failures, since when it is down, and when it is asked next.
 *
 * - fanOut (db/fanout.ts) reads it first, one query for the cells it asks (cached in the
 *   process for CACHE_MS, so a page's several fan-outs read it once), and answers a cell
 *   that failed a moment ago at once as down ("down since 09:12:03 UTC (timeout); last
 *   answered 09:11:58 UTC") instead of waiting the deadline for it again;
 * - fanOut records what it found, one statement per fan-out, off the request's path;
 * - the background probe (server/cells/health-probe.ts) claims the cells whose next ask
 *   is due, asks them, and records the answer: the first success brings a cell back in
 *   every process, since all of them read the same table.
 *
 * A cell is held down while its last failure is newer than its last success and its next
 * ask (next_probe_at) is still ahead: BACKOFF_START_MS after the first failure, doubling
 * with each failure after it up to BACKOFF_MAX_MS. Times are the database's clock, so
 * processes on several machines agree.
 *
 * The memory never fails or slows a page: a read that does not answer in time or fails
 * is treated as knowing nothing (the cells are asked), a write that fails is logged and
 * dropped.
 */
import crypto from 'node:crypto';
import type { ApiHandle } from './connect';
import { utcDate } from './timestamps';

/** The first backoff after a failure; it doubles with each consecutive failure. */
export const BACKOFF_START_MS = 2000;
/** The longest backoff: a cell down for long is asked again at least this often. */
export const BACKOFF_MAX_MS = 60_000;
/** How long a read is reused in the process. */
export const CACHE_MS = 1000;
/** A healthy cell's success is written again only after this long (its "last answered" is at most this old). */
export const SUCCESS_REFRESH_MS = 5000;
/** How long a fan-out waits for the memory at most (and at most half its deadline): then it asks the cells. */
export const READ_TIMEOUT_MS = 1000;
/** Observations of the fan-outs ending within this go to the database in one statement. */
export const BATCH_MS = 10;

/** One cell's row. */
export interface CellHealthRow {
  cellUuid: string;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  /** The fan-out's DownReason of the last failure. */
  reason: string | null;
  message: string | null;
  consecutiveFailures: number;
  /** The first failure of the current run of failures; null while it answers. */
  downSince: Date | null;
  /** healthTarget of the URL the cell was reached at. */
  target: string | null;
  nextProbeAt: Date | null;
  updatedAt: Date;
}

/** What one fan-out found about one cell. */
export type HealthObservation = { uuid: string; target: string; ok: true } | { uuid: string; target: string; ok: false; reason: string; message: string };

export interface CellHealthOptions {
  cacheMs?: number;
  successRefreshMs?: number;
  readTimeoutMs?: number;
  backoffStartMs?: number;
  backoffMaxMs?: number;
  /** A read or write that failed (logged, never thrown). Default: one warning a minute on stderr, none under test. */
  onError?: (e: unknown, what: 'read' | 'record' | 'claim' | 'drop') => void;
}

/** The wait before asking a cell again after `consecutiveFailures` failures in a row. */
export function backoffMs(consecutiveFailures: number, start = BACKOFF_START_MS, max = BACKOFF_MAX_MS): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(max, start * 2 ** Math.min(30, consecutiveFailures - 1));
}

/** A digest of the URL a cell is reached at: rows about another URL do not hold the cell down. */
export function healthTarget(url: string): string {
  return crypto.createHash('sha256').update(url).digest('hex').slice(0, 32);
}

/** Whether the row holds the cell down at `nowMs` (the database's clock) for this target. */
export function isHeldDown(row: CellHealthRow, target: string | null, nowMs: number): boolean {
  if (target !== null && row.target !== null && row.target !== target) return false;
  if (!row.lastFailureAt || !row.nextProbeAt) return false;
  if (row.lastSuccessAt && row.lastSuccessAt.getTime() > row.lastFailureAt.getTime()) return false;
  return row.nextProbeAt.getTime() > nowMs;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** 09:12:03 UTC, with the date in front when it is not today's (UTC). */
export function clockTime(at: Date, now: Date = new Date()): string {
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} UTC`;
  const sameDay = at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10);
  return sameDay ? time : `${at.toISOString().slice(0, 10)} ${time}`;
}

/**
 * "down since 09:12:03 UTC (timeout); last answered 09:11:58 UTC": the line of a cell held
 * down. An auth failure or an error also says what it was ("error: database "x" does not
 * exist"): the reason alone does not tell.
 */
export function heldDownMessage(row: CellHealthRow, now: Date = new Date()): string {
  const since = row.downSince ?? row.lastFailureAt;
  const reason = row.reason ?? 'error';
  const why = (reason === 'error' || reason === 'auth') && row.message ? `${reason}: ${row.message}` : reason;
  const head = since ? `down since ${clockTime(since, now)} (${why})` : `down (${why})`;
  const tail = row.lastSuccessAt ? `last answered ${clockTime(row.lastSuccessAt, now)}` : 'no answer recorded';
  return `${head}; ${tail}`;
}

interface RawRow {
  cell_uuid: string;
  last_success_at: string | Date | null;
  last_failure_at: string | Date | null;
  reason: string | null;
  message: string | null;
  consecutive_failures: number;
  down_since: string | Date | null;
  target: string | null;
  next_probe_at: string | Date | null;
  updated_at: string | Date;
  db_now: string | Date;
}

function toRow(r: RawRow): CellHealthRow {
  return {
    cellUuid: r.cell_uuid,
    lastSuccessAt: utcDate(r.last_success_at),
    lastFailureAt: utcDate(r.last_failure_at),
    reason: r.reason,
    message: r.message,
    consecutiveFailures: Number(r.consecutive_failures),
    downSince: utcDate(r.down_since),
    target: r.target,
    nextProbeAt: utcDate(r.next_probe_at),
    updatedAt: utcDate(r.updated_at)!,
  };
}

let lastWarning = 0;
function defaultOnError(e: unknown, what: string): void {
  if (process.env.NODE_ENV === 'test' || process.env.VITEST) return;
  const now = Date.now();
  if (now - lastWarning < 60_000) return;
  lastWarning = now;
  console.warn(`cellar: the cell health memory could not be ${what === 'read' ? 'read' : 'written'}: ${(e as Error)?.message ?? e}`);
}

/**
 * The memory over an api database handle (or a function giving the current one: the
 * console's handle may be reopened when its configuration changes).
 */
export class CellHealthMemory {
  readonly cacheMs: number;
  readonly successRefreshMs: number;
  readonly readTimeoutMs: number;
  readonly backoffStartMs: number;
  readonly backoffMaxMs: number;
  private readonly api: () => ApiHandle;
  private readonly onError: NonNullable<CellHealthOptions['onError']>;
  /** What the process knows: the last snapshot of the table, with its own news applied. */
  private rows = new Map<string, CellHealthRow>();
  /** performance.now() when the last snapshot was asked for: its rows are at least that fresh. */
  private snapshotAt = Number.NEGATIVE_INFINITY;
  private snapshot: Promise<void> | null = null;
  /** performance.now() of the process's own news of a cell, which a snapshot asked for before must not undo. */
  private readonly localAt = new Map<string, number>();
  /** Observations waiting for the next write (BATCH_MS), with the promise that write resolves. */
  private batch = new Map<string, HealthObservation>();
  private batchTimer: NodeJS.Timeout | null = null;
  private batchWritten: { promise: Promise<void>; resolve: () => void } | null = null;
  private readonly pending = new Set<Promise<void>>();
  /** Cells with observations not yet written (how many), whose rows a snapshot must not undo. */
  private readonly unwritten = new Map<string, number>();
  /** The database's clock minus this process's, as last seen. */
  private skewMs = 0;

  constructor(api: ApiHandle | (() => ApiHandle), opts: CellHealthOptions = {}) {
    this.api = typeof api === 'function' ? api : () => api;
    this.cacheMs = opts.cacheMs ?? CACHE_MS;
    this.successRefreshMs = opts.successRefreshMs ?? SUCCESS_REFRESH_MS;
    this.readTimeoutMs = opts.readTimeoutMs ?? READ_TIMEOUT_MS;
    this.backoffStartMs = opts.backoffStartMs ?? BACKOFF_START_MS;
    this.backoffMaxMs = opts.backoffMaxMs ?? BACKOFF_MAX_MS;
    this.onError = opts.onError ?? defaultOnError;
  }

  /** Now by the database's clock, in ms since the epoch. */
  now(): number {
    return Date.now() + this.skewMs;
  }

  /** What the process knows of a cell now, without reading; undefined when nothing. */
  peek(uuid: string): CellHealthRow | undefined {
    return this.rows.get(uuid);
  }

  /**
   * The rows of these cells (absent: nothing recorded). The table is read whole, one
   * query, at most once per cacheMs however many fan-outs ask (a page of per-cell calls
   * included): it holds a row per cell. Never throws: on a failure, or past `timeoutMs`,
   * what the process already knows (possibly nothing).
   */
  async read(uuids: readonly string[], opts: { timeoutMs?: number } = {}): Promise<Map<string, CellHealthRow>> {
    if (!this.snapshot && performance.now() - this.snapshotAt > this.cacheMs) {
      const snapshot = this.refresh().finally(() => {
        if (this.snapshot === snapshot) this.snapshot = null;
      });
      this.snapshot = snapshot;
    }
    if (this.snapshot) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.snapshot,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, opts.timeoutMs ?? this.readTimeoutMs));
        }),
      ]);
      clearTimeout(timer);
    }
    const out = new Map<string, CellHealthRow>();
    for (const u of uuids) {
      const row = this.rows.get(u);
      if (row) out.set(u, row);
    }
    return out;
  }

  private async refresh(): Promise<void> {
    const asked = performance.now();
    try {
      const rows = await this.api().sql<RawRow[]>`
        select cell_uuid, last_success_at, last_failure_at, reason, message, consecutive_failures,
               down_since, target, next_probe_at, updated_at, (now() at time zone 'utc') as db_now
        from cellar.cell_health
        union all
        select null, null, null, null, null, 0, null, null, null, (now() at time zone 'utc'), (now() at time zone 'utc')`;
      const next = new Map<string, CellHealthRow>();
      for (const r of rows) {
        if (r.cell_uuid === null) this.skewMs = utcDate(r.db_now)!.getTime() - Date.now();
        else next.set(r.cell_uuid, toRow(r));
      }
      // The process's own news since the query was asked is newer than what it read.
      for (const [u, at] of this.localAt) {
        if (at < asked && !this.unwritten.has(u)) {
          this.localAt.delete(u);
          continue;
        }
        const mine = this.rows.get(u);
        if (mine) next.set(u, mine);
        else next.delete(u);
      }
      this.rows = next;
    } catch (e) {
      this.onError(e, 'read');
    } finally {
      // A failed read is not tried again by every fan-out: once per cacheMs, as a good one.
      this.snapshotAt = asked;
    }
  }

  /** Take the process's own news of a cell: newer than any snapshot asked for before. */
  private know(uuid: string, row: CellHealthRow | null): void {
    if (row) this.rows.set(uuid, row);
    else this.rows.delete(uuid);
    this.localAt.set(uuid, performance.now());
  }

  /**
   * Write what a fan-out found, without waiting for it: the process knows it at once, and
   * the observations of the fan-outs ending within BATCH_MS go in one statement. The
   * returned promise resolves once written and never rejects; flush() writes at once and
   * waits. A success of a cell already known to answer is written only every
   * successRefreshMs.
   */
  record(observations: readonly HealthObservation[]): Promise<void> {
    const nowMs = this.now();
    let added = false;
    for (const o of observations) {
      const row = this.rows.get(o.uuid) ?? null;
      if (o.ok && row && row.target === o.target && row.lastSuccessAt && row.consecutiveFailures === 0) {
        const fresh = nowMs - row.lastSuccessAt.getTime() <= this.successRefreshMs;
        const after = !row.lastFailureAt || row.lastFailureAt.getTime() < row.lastSuccessAt.getTime();
        if (fresh && after) continue;
      }
      this.know(o.uuid, this.applied(row, o, nowMs));
      // Not yet in the database: a snapshot read meanwhile must not undo it.
      if (!this.batch.has(o.uuid)) this.unwritten.set(o.uuid, (this.unwritten.get(o.uuid) ?? 0) + 1);
      this.batch.set(o.uuid, o);
      added = true;
    }
    if (!added && !this.batchWritten) return Promise.resolve();
    if (!this.batchWritten) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.batchWritten = { promise, resolve };
    }
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.writeBatch(), BATCH_MS);
      this.batchTimer.unref();
    }
    return this.batchWritten.promise;
  }

  private writeBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const observations = [...this.batch.values()];
    const written = this.batchWritten;
    this.batch = new Map();
    this.batchWritten = null;
    const write = (observations.length > 0 ? this.write(observations) : Promise.resolve()).finally(() => {
      for (const o of observations) {
        const n = (this.unwritten.get(o.uuid) ?? 1) - 1;
        if (n > 0) this.unwritten.set(o.uuid, n);
        else this.unwritten.delete(o.uuid);
      }
      this.pending.delete(write);
      written?.resolve();
    });
    this.pending.add(write);
  }

  /** The row after an observation, as the database computes it (for the cache until it answers). */
  private applied(before: CellHealthRow | null, o: HealthObservation, nowMs: number): CellHealthRow {
    const now = new Date(nowMs);
    const sameTarget = before !== null && (before.target === null || before.target === o.target);
    if (o.ok) {
      return {
        cellUuid: o.uuid,
        lastSuccessAt: now,
        lastFailureAt: before?.lastFailureAt ?? null,
        reason: before?.reason ?? null,
        message: before?.message ?? null,
        consecutiveFailures: 0,
        downSince: null,
        target: o.target,
        nextProbeAt: null,
        updatedAt: now,
      };
    }
    const failures = (sameTarget ? before!.consecutiveFailures : 0) + 1;
    return {
      cellUuid: o.uuid,
      lastSuccessAt: before?.lastSuccessAt ?? null,
      lastFailureAt: now,
      reason: o.reason,
      message: o.message,
      consecutiveFailures: failures,
      downSince: (sameTarget && before!.consecutiveFailures > 0 ? before!.downSince : null) ?? now,
      target: o.target,
      nextProbeAt: new Date(nowMs + backoffMs(failures, this.backoffStartMs, this.backoffMaxMs)),
      updatedAt: now,
    };
  }

  private async write(observations: HealthObservation[]): Promise<void> {
    const uuids = observations.map((o) => o.uuid);
    const targets = observations.map((o) => o.target);
    // As text: postgres.js does not send a boolean array as one.
    const oks = observations.map((o) => (o.ok ? 'true' : 'false'));
    const reasons = observations.map((o) => (o.ok ? null : o.reason.slice(0, 16)));
    const messages = observations.map((o) => (o.ok ? null : o.message.slice(0, 1000)));
    const start = this.backoffStartMs;
    const max = this.backoffMaxMs;
    try {
      // A failure after a success (or about another target) starts a new run of failures:
      // one failure, down since now. Each failure after it doubles the wait, up to max.
      const rows = await this.api().sql<RawRow[]>`
        insert into cellar.cell_health as h
          (cell_uuid, target, last_success_at, last_failure_at, reason, message, consecutive_failures, down_since, next_probe_at, updated_at)
        select o.uuid, o.target,
               case when o.ok::boolean then n.at end,
               case when o.ok::boolean then null else n.at end,
               o.reason, o.message,
               case when o.ok::boolean then 0 else 1 end,
               case when o.ok::boolean then null else n.at end,
               case when o.ok::boolean then null else n.at + make_interval(secs => ${start}::float8 / 1000) end,
               n.at
        from unnest(${uuids}::text[], ${targets}::text[], ${oks}::text[], ${reasons}::text[], ${messages}::text[])
               as o(uuid, target, ok, reason, message)
          cross join (select now() at time zone 'utc' as at) n
        on conflict (cell_uuid) do update set
          target = excluded.target,
          last_success_at = coalesce(excluded.last_success_at, h.last_success_at),
          last_failure_at = coalesce(excluded.last_failure_at, h.last_failure_at),
          reason = coalesce(excluded.reason, h.reason),
          message = coalesce(excluded.message, h.message),
          consecutive_failures = case
            when excluded.last_failure_at is null then 0
            when h.target is distinct from excluded.target and h.target is not null then 1
            else h.consecutive_failures + 1 end,
          down_since = case
            when excluded.last_failure_at is null then null
            when h.target is distinct from excluded.target and h.target is not null then excluded.down_since
            when h.consecutive_failures > 0 then coalesce(h.down_since, excluded.down_since)
            else excluded.down_since end,
          next_probe_at = case
            when excluded.last_failure_at is null then null
            when h.target is distinct from excluded.target and h.target is not null then excluded.next_probe_at
            else excluded.updated_at + make_interval(secs => least(${max}::float8, ${start}::float8 * power(2, least(30, h.consecutive_failures))) / 1000) end,
          updated_at = excluded.updated_at
        returning cell_uuid, last_success_at, last_failure_at, reason, message, consecutive_failures,
                  down_since, target, next_probe_at, updated_at, updated_at as db_now`;
      for (const r of rows) this.know(r.cell_uuid, toRow(r));
    } catch (e) {
      this.onError(e, 'record');
    }
  }

  /** Write what waits for the next write now, and wait for every write still running (tests; a process about to exit). */
  async flush(): Promise<void> {
    if (this.batchTimer || this.batch.size > 0) this.writeBatch();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * For the background probe: claim the cells whose next ask is due (at most `limit`),
   * pushing their next ask `leaseMs` ahead so no other process asks them meanwhile. One
   * statement; rows another process is claiming are skipped, not waited for. Never throws.
   */
  async claimDue(leaseMs: number, limit = 200): Promise<CellHealthRow[]> {
    try {
      const rows = await this.api().sql<RawRow[]>`
        update cellar.cell_health h
        set next_probe_at = (now() at time zone 'utc') + make_interval(secs => ${leaseMs}::float8 / 1000)
        where h.cell_uuid in (
          select cell_uuid from cellar.cell_health
          where next_probe_at <= (now() at time zone 'utc')
          order by next_probe_at
          limit ${limit}
          for update skip locked)
          and h.next_probe_at <= (now() at time zone 'utc')
        returning cell_uuid, last_success_at, last_failure_at, reason, message, consecutive_failures,
                  down_since, target, next_probe_at, updated_at, (now() at time zone 'utc') as db_now`;
      return rows.map((r) => {
        const row = toRow(r);
        this.know(row.cellUuid, row);
        return row;
      });
    } catch (e) {
      this.onError(e, 'claim');
      return [];
    }
  }

  /** Forget cells that are no longer mapped. Never throws. */
  async drop(uuids: readonly string[]): Promise<void> {
    if (uuids.length === 0) return;
    for (const u of uuids) this.know(u, null);
    try {
      await this.api().sql`delete from cellar.cell_health where cell_uuid = any(${[...uuids]}::text[])`;
    } catch (e) {
      this.onError(e, 'drop');
    }
  }

  /** Forget what the process knows (tests: read what another process wrote). */
  clearCache(): void {
    this.rows.clear();
    this.localAt.clear();
    this.snapshotAt = Number.NEGATIVE_INFINITY;
  }
}
