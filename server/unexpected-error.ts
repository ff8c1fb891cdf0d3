/**
 * Unexpected errors: anything that is not a CellarError refusal (a PostgresError such as
 * `relation "cellar.jobs" does not exist`, drizzle's "Failed query: …", a TypeError, a
 * library's own text). People get one plain line with a request id; the log gets the rest
 * under that id: the message, the failed statement and its parameters, the PostgreSQL
 * fields (code, detail, hint, table, …), the stack and the causes. The console (tRPC,
 * server/trpc.ts) and the CLI (server/cli/main.ts) both answer through reportUnexpected.
 */
import crypto from 'node:crypto';
import type pino from 'pino';
import { maskUrl } from '@/db/url';
import { log, logFile } from './log';

export interface UnexpectedContext {
  /** The request's own id when it has one (a tRPC request); otherwise a fresh one is made. */
  requestId?: string;
  /** Who met the error. */
  source: 'console' | 'cli';
  /** What was being done: a procedure path, a CLI verb. */
  action?: string | null;
  /** More fields for the log line (the procedure type, the tRPC code, …); never shown to people. */
  extra?: Record<string, unknown>;
  /** The log line's text. */
  what?: string;
  /** `warn` for a request that could not be read (a client's fault); `error` otherwise. */
  level?: 'error' | 'warn';
  /** The logger to write to; the process-wide one by default. */
  logger?: pino.Logger;
}

export interface UnexpectedReport {
  requestId: string;
  /** The one plain line to show: no SQL, no parameters, no stack, no library text. */
  message: string;
}

/** A short request id for what has none of its own (a CLI run): 8 hexadecimal digits. */
export function newRequestId(): string {
  return crypto.randomBytes(4).toString('hex');
}

/** The line people see for an unexpected error. */
export function unexpectedMessage(requestId: string): string {
  return `An unexpected error occurred (request id ${requestId}). The details are in Cellar's log${logFile ? ` (${logFile})` : ''}.`;
}

/** Log an unexpected error with everything known about it, and return the plain line to show instead. */
export function reportUnexpected(e: unknown, context: UnexpectedContext): UnexpectedReport {
  const requestId = context.requestId ?? newRequestId();
  const logger = context.logger ?? log;
  try {
    logger[context.level ?? 'error'](
      // Under `error`, not `err`: pino's err serializer would rebuild it from the Error and
      // lose the statement, the parameters and the causes' fields.
      { ...context.extra, requestId, source: context.source, action: context.action ?? null, error: errorDetails(e) },
      context.what ?? 'unexpected error',
    );
  } catch {
    // Logging must never turn one failure into two; the answer still carries the id.
  }
  return { requestId, message: unexpectedMessage(requestId) };
}

/** Properties that are shown under their own names, or not at all. */
const HANDLED = new Set(['name', 'message', 'stack', 'cause', 'query', 'parameters', 'params', 'args', 'types']);
const MAX_CAUSES = 5;

/**
 * Everything worth logging about an error, as plain data: its type, message, enumerable
 * fields (a PostgresError's code, severity, detail, hint, schema_name, table_name,
 * constraint_name, routine, …), the failed statement and its parameters (postgres.js keeps
 * them on non-enumerable properties, which pino's serializer would miss; drizzle's error
 * has query/params), the stack and the chain of causes. Passwords in URLs are masked.
 */
export function errorDetails(e: unknown, depth = 0): Record<string, unknown> {
  if (typeof e !== 'object' || e === null) return { type: typeof e, message: maskUrls(String(e)) };
  const err = e as Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: (e as object).constructor?.name ?? 'Object',
    message: maskUrls(String(err.message ?? '')),
  };
  if (typeof err.name === 'string' && err.name !== out.type) out.name = err.name;
  for (const key of Object.keys(err)) {
    if (HANDLED.has(key)) continue;
    out[key] = masked(err[key]);
  }
  if (typeof err.query === 'string') out.query = err.query;
  const parameters = err.parameters ?? err.params;
  if (parameters !== undefined) out.parameters = masked(parameters);
  if (typeof err.stack === 'string') out.stack = maskUrls(err.stack);
  if (err.cause !== undefined) out.cause = depth < MAX_CAUSES ? errorDetails(err.cause, depth + 1) : '(more causes)';
  return out;
}

/** A value for the log with the password of any URL in it masked (strings, arrays, one level of objects). */
function masked(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskUrls(value);
  if (depth > 2 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => masked(v, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, depth + 1)]));
}

function maskUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+._-]*:\/\/[^\s'"]+/gi, (url) => maskUrl(url) ?? '****');
}
