import 'server-only';
import type { CellHandle } from './connect';
import type { CellRef, CellRegistry } from './registry';
import { maskUrl } from './url';

export type DownReason = 'timeout' | 'refused' | 'auth' | 'error';

export interface CellSummary {
  uuid: string;
  name: string | null;
}

export type CellOutcome<T> =
  | { cell: CellSummary; status: 'up'; value: T; elapsedMs: number }
  | { cell: CellSummary; status: 'down'; reason: DownReason; message: string; elapsedMs: number };

export interface CellWork {
  cell: CellRef;
  handle: CellHandle;
  /** Aborted when the deadline passes: long work should stop issuing queries. */
  signal: AbortSignal;
}

export interface FanOutOptions {
  deadlineMs: number;
}

/**
 * Ask every chosen cell at once under one deadline. Each cell answers with its value or
 * `down` with a reason and the elapsed time. Never throws because of one cell and never
 * waits past the deadline: a cell still working then is reported as a timeout and its
 * late answer is dropped.
 */
export async function fanOut<T>(
  registry: CellRegistry,
  cells: readonly CellRef[],
  work: (w: CellWork) => Promise<T>,
  { deadlineMs }: FanOutOptions,
): Promise<CellOutcome<T>[]> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('deadline'));
      resolve('deadline');
    }, deadlineMs);
  });
  try {
    return await Promise.all(
      cells.map(async (cell): Promise<CellOutcome<T>> => {
        const summary = { uuid: cell.uuid, name: cell.name };
        const cellStarted = performance.now();
        const elapsed = () => Math.round(performance.now() - cellStarted);
        let attempt: Promise<T>;
        try {
          const handle = registry.handleFor(cell);
          // Promise.resolve: a work function that returns a plain value (or a thenable)
          // must not make fanOut throw at `attempt.catch` below.
          attempt = Promise.resolve(work({ cell, handle, signal: controller.signal }));
        } catch (e) {
          return { cell: summary, status: 'down', ...classifyCellError(e), elapsedMs: elapsed() };
        }
        // A late rejection after the deadline must not become an unhandled rejection.
        attempt.catch(() => {});
        try {
          const result = await Promise.race([attempt.then((value) => ({ value })), deadline]);
          if (result === 'deadline') {
            return {
              cell: summary,
              status: 'down',
              reason: 'timeout',
              message: `no answer within ${deadlineMs} ms`,
              elapsedMs: Math.round(performance.now() - started),
            };
          }
          return { cell: summary, status: 'up', value: result.value, elapsedMs: elapsed() };
        } catch (e) {
          const c = classifyCellError(e);
          // A connection-level failure leaves nothing worth keeping in the pool.
          if (c.reason !== 'error') void registry.forget(cell.uuid);
          return { cell: summary, status: 'down', ...c, elapsedMs: elapsed() };
        }
      }),
    );
  } finally {
    clearTimeout(timer);
  }
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
