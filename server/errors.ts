/**
 * Refusals are typed: every domain function that says "no" throws a CellarError with a
 * plain message a person can act on. The CLI turns `exitCode` into its exit status; tRPC
 * turns `kind` into an HTTP-ish code. Anything else is a bug and is logged, not shown.
 */
export type RefusalKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden' | 'unavailable' | 'precondition';

export class CellarError extends Error {
  readonly kind: RefusalKind;
  /** nova-manage's exit code for this refusal, where nova has one. */
  readonly exitCode: number;
  readonly details?: Record<string, unknown>;

  constructor(kind: RefusalKind, message: string, opts: { exitCode?: number; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'CellarError';
    this.kind = kind;
    this.exitCode = opts.exitCode ?? 1;
    this.details = opts.details;
  }
}

export const refuse = {
  notFound: (message: string, exitCode = 1, details?: Record<string, unknown>) => new CellarError('not_found', message, { exitCode, details }),
  conflict: (message: string, exitCode = 1, details?: Record<string, unknown>) => new CellarError('conflict', message, { exitCode, details }),
  invalid: (message: string, exitCode = 1, details?: Record<string, unknown>) => new CellarError('invalid', message, { exitCode, details }),
  precondition: (message: string, exitCode = 1, details?: Record<string, unknown>) => new CellarError('precondition', message, { exitCode, details }),
  unavailable: (message: string, exitCode = 1, details?: Record<string, unknown>) => new CellarError('unavailable', message, { exitCode, details }),
};

export function isCellarError(e: unknown): e is CellarError {
  return e instanceof CellarError || (e as { name?: string } | null)?.name === 'CellarError';
}

/**
 * "The api database does not answer" (db/api-unavailable.ts, no imports, so the console's
 * pages and its error boundary may show it too): the message, and whether an error means it.
 */
export { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/db/api-unavailable';
