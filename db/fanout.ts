import 'server-only';
import { setMaxListeners } from 'node:events';
import { type CellHealthRow, type HealthObservation, healthTarget, heldDownMessage, isHeldDown } from './cell-health';
import type { CellHandle } from './connect';
import { BudgetFullError, type CellLease, type CellRef, type CellRegistry, isCandidateCell } from './registry';
import { maskUrl } from './url';

export type DownReason = 'timeout' | 'refused' | 'auth' | 'error';

export interface CellSummary {
  uuid: string;
  name: string | null;
}

/**
 * A cell that did not answer. With a health memory (the console's and the CLI's registry
 * carry one), also what it remembers: `since` the first failure of the current run of
 * failures, `lastAnsweredAt` the last success, and `fromMemory` when the cell was not
 * asked at all because it failed a moment ago (elapsedMs 0, the message says since when).
 */
export interface DownOutcome {
  cell: CellSummary;
  status: 'down';
  reason: DownReason;
  message: string;
  elapsedMs: number;
  /** When the cell started failing (this run of failures); null when not known. */
  since?: Date | null;
  /** When the cell last answered; null when no answer is recorded. */
  lastAnsweredAt?: Date | null;
  /** Answered from the health memory without asking the cell. */
  fromMemory?: boolean;
}

export type CellOutcome<T> = { cell: CellSummary; status: 'up'; value: T; elapsedMs: number } | DownOutcome;

export interface CellWork {
  cell: CellRef;
  handle: CellHandle;
  /** Aborted when the deadline passes: long work should stop issuing queries. */
  signal: AbortSignal;
}

export interface FanOutOptions {
  deadlineMs: number;
  /**
   * Ask every cell, even one the health memory holds down (the background probe). What
   * is found is recorded all the same.
   */
  askAnyway?: boolean;
}

const REASONS = new Set<string>(['timeout', 'refused', 'auth', 'error']);

/** Stands for the deadline in the race of a cell's work. */
const DEADLINE = Symbol('deadline');

/**
 * Ask every chosen cell at once under one deadline. Each cell answers with its value or
 * `down` with a reason and the elapsed time. Never throws because of one cell and never
 * waits past the deadline: a cell still working then is reported as a timeout and its
 * late answer is dropped.
 *
 * With the registry's health memory (db/cell-health.ts): a cell that failed a moment ago
 * is answered at once as down from it, and what the others answered is recorded, one
 * statement, not awaited. Each cell's work runs on a lease of its pool within its
 * server's connection budget (CellRegistry.acquire): a cell that gets no connection
 * before the deadline is a timeout that says so, and is not held against the cell.
 */
export async function fanOut<T>(
  registry: CellRegistry,
  cells: readonly CellRef[],
  work: (w: CellWork) => Promise<T>,
  { deadlineMs, askAnyway = false }: FanOutOptions,
): Promise<CellOutcome<T>[]> {
  const started = performance.now();
  const startedAt = new Date();
  const controller = new AbortController();
  // Every cell waiting for a connection listens to it (CellRegistry.acquire), and work may too.
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('deadline'));
      resolve(DEADLINE);
    }, deadlineMs);
  });
  const health = registry.health;
  const observed: HealthObservation[] = [];
  try {
    // What the memory knows, bounded: it never holds the fan-out past half its deadline.
    let known: Map<string, CellHealthRow> | null = null;
    const mapped = cells.filter((c) => !isCandidateCell(c));
    if (health && !askAnyway && mapped.length > 0) {
      known = await health.read(
        mapped.map((c) => c.uuid),
        { timeoutMs: Math.min(health.readTimeoutMs, deadlineMs / 2) },
      );
    }
    registry.anticipate(cells);
    return await Promise.all(
      cells.map(async (cell): Promise<CellOutcome<T>> => {
        const summary = { uuid: cell.uuid, name: cell.name };
        // A candidate database (not a cell mapping yet) has nothing to remember.
        const memory = isCandidateCell(cell) ? undefined : health;
        const cellStarted = performance.now();
        const elapsed = () => Math.round(performance.now() - cellStarted);
        let target: string | null = null;
        /** What the memory adds to a down outcome found now. */
        const remembered = (): Partial<DownOutcome> => {
          if (!memory) return {};
          const row = known?.get(cell.uuid) ?? memory.peek(cell.uuid) ?? null;
          const same = row !== null && (row.target === null || target === null || row.target === target);
          const failing = same && row.consecutiveFailures > 0 && row.lastFailureAt !== null;
          return { since: (failing ? (row.downSince ?? row.lastFailureAt) : null) ?? startedAt, lastAnsweredAt: row?.lastSuccessAt ?? null, fromMemory: false };
        };
        const failed = (c: { reason: DownReason; message: string }) => {
          if (target !== null) observed.push({ uuid: cell.uuid, target, ok: false, reason: c.reason, message: c.message });
        };

        let url: string;
        try {
          url = registry.resolveUrl(cell);
        } catch (e) {
          const c = classifyCellError(e);
          return { cell: summary, status: 'down', ...c, elapsedMs: elapsed(), ...remembered() };
        }
        if (memory) {
          target = healthTarget(url);
          const row = known?.get(cell.uuid);
          if (row && isHeldDown(row, target, memory.now())) {
            return {
              cell: summary,
              status: 'down',
              reason: REASONS.has(row.reason ?? '') ? (row.reason as DownReason) : 'error',
              message: heldDownMessage(row, new Date(memory.now())),
              elapsedMs: 0,
              since: row.downSince ?? row.lastFailureAt,
              lastAnsweredAt: row.lastSuccessAt,
              fromMemory: true,
            };
          }
        }

        let lease: CellLease | undefined;
        let settled = false;
        const attempt = (async () => {
          const got = await registry.acquire(cell, { signal: controller.signal });
          if (settled) {
            got.release();
            throw new Error('deadline');
          }
          lease = got;
          // Promise.resolve: a work function that returns a plain value (or a thenable)
          // must not make fanOut throw at `attempt.catch` below.
          return Promise.resolve(work({ cell, handle: got.handle, signal: controller.signal }));
        })();
        // A late rejection after the deadline must not become an unhandled rejection.
        attempt.catch(() => {});
        try {
          const result = await Promise.race([attempt.then((value) => ({ value })), deadline]);
          if (result === DEADLINE) {
            if (!lease) return budgetFull(summary, registry, url, deadlineMs, started, remembered());
            const c = { reason: 'timeout' as const, message: `no answer within ${deadlineMs} ms` };
            // Its connection may be stuck (a server that stopped answering): the next ask,
            // the probe's, must not wait behind it.
            void registry.forget(cell.uuid);
            failed(c);
            return { cell: summary, status: 'down', ...c, elapsedMs: Math.round(performance.now() - started), ...remembered() };
          }
          if (target !== null) observed.push({ uuid: cell.uuid, target, ok: true });
          return { cell: summary, status: 'up', value: result.value, elapsedMs: elapsed() };
        } catch (e) {
          if (e instanceof BudgetFullError) return budgetFull(summary, registry, url, deadlineMs, started, remembered());
          const c = classifyCellError(e);
          // A connection-level failure leaves nothing worth keeping in the pool.
          if (c.reason !== 'error') void registry.forget(cell.uuid);
          if (isCellFailure(e, c.reason)) failed(c);
          return { cell: summary, status: 'down', ...c, elapsedMs: elapsed(), ...remembered() };
        } finally {
          settled = true;
          lease?.release();
        }
      }),
    );
  } finally {
    clearTimeout(timer);
    if (health && observed.length > 0) void health.record(observed);
  }
}

/** A cell that got no connection before the deadline: the budget was busy, which says nothing about the cell. */
function budgetFull(
  cell: CellSummary,
  registry: CellRegistry,
  url: string,
  deadlineMs: number,
  started: number,
  remembered: Partial<DownOutcome>,
): DownOutcome {
  const { server, limit } = registry.budgetOf(url);
  return {
    cell,
    status: 'down',
    reason: 'timeout',
    message: `no connection within ${deadlineMs} ms: Cellar's ${limit} connections to its database server (${server}) were all in use`,
    elapsedMs: Math.round(performance.now() - started),
    ...remembered,
  };
}

/** Errors of class 'error' that are the cell's all the same: no such database, no such host, the server closed the connection. */
const CELL_LEVEL_ERROR_CODES = new Set(['3D000', 'ENOTFOUND', 'EAI_AGAIN', 'CONNECTION_CLOSED']);

/**
 * Whether a failure is the cell's (its server, its database, its URL), worth remembering
 * for every process, or only this work's (a query of the caller's that failed).
 */
function isCellFailure(e: unknown, reason: DownReason): boolean {
  if (reason !== 'error') return true;
  const err = e as { code?: string; errno?: string; name?: string };
  const code = err?.code ?? err?.errno;
  return (code !== undefined && CELL_LEVEL_ERROR_CODES.has(code)) || err?.name === 'DbUrlError';
}

const AUTH_CODES = new Set(['28P01', '28000']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Turn a driver error into a reason and a plain message that never carries a password. */
export function classifyCellError(e: unknown): { reason: DownReason; message: string } {
  const err = e as { code?: string; message?: string; errno?: string; name?: string };
  const code = err?.code ?? err?.errno;
  const message = String(err?.message ?? e ?? 'unknown error');
  if (code && AUTH_CODES.has(code)) return { reason: 'auth', message: scrub(message) };
  if (code && REFUSED_CODES.has(code)) return { reason: 'refused', message: 'connection refused' };
  if (code === 'CONNECT_TIMEOUT') return { reason: 'timeout', message: 'connection attempt timed out' };
  if (code === '57014') return { reason: 'timeout', message: 'statement timed out on the cell database' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { reason: 'error', message: 'database host name not found' };
  if (code === '3D000') return { reason: 'error', message: scrub(message) };
  if (err?.name === 'DbUrlError') return { reason: 'error', message: scrub(message) };
  if (/ECONNREFUSED/.test(message)) return { reason: 'refused', message: 'connection refused' };
  return { reason: 'error', message: scrub(message) };
}

/** Mask every URL in a message with maskUrl (a password holding '@' or '/' included). */
function scrub(message: string): string {
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => maskUrl(url) ?? '').slice(0, 300);
}
