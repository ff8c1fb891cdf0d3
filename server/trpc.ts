/**
 * tRPC: the context, error shaping, and one procedure builder per role.
 * Every procedure is built from `procedureFor(role)` (or the viewer/support/operator
 * shorthands): the raw builder is not exported, so a procedure cannot exist without a
 * declared minimum role (viewer < support < operator). The server enforces it on every
 * call, and every mutation, done or refused, is written to the audit log.
 */
import crypto from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { cache } from 'react';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/db/api-unavailable';
import { NotConfiguredError } from '@/db/runtime';
import { beginAudit, finishAudit, recordRefusal } from './auth/audit';
import { clientAddress } from './auth/client-address';
import { resolvePrincipal } from './auth/principal';
import { forbiddenMessage, type Principal, type Resolution, type Role, roleAtLeast, SIGN_IN_FIRST } from './auth/roles';
import { type Deps, runtimeDeps } from './deps';
import { isCellarError, type RefusalKind } from './errors';
import { guardInput } from './input-guard';
import { log } from './log';
import { reportUnexpected } from './unexpected-error';

export { ROLES, type Principal, type Role } from './auth/roles';

export interface Meta {
  minRole: Role;
}

export interface Context {
  requestId: string;
  deps: () => Deps;
  /**
   * The request's credentials, resolved once on first use. Every HTTP request gets one
   * from createContext. A context built by hand without it (a test or script calling a
   * router in-process, which could call the domain functions directly anyway) acts as
   * the `internal` operator.
   */
  resolvePrincipal?: () => Promise<Resolution>;
  /** The client's address (server/auth/client-address.ts), for the audit log. */
  address?: string;
}

/** A request id a client may suggest, if it is short and plain; otherwise a fresh one. */
function requestIdFrom(headers?: Headers): string {
  const given = headers?.get('x-request-id');
  return given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : crypto.randomUUID();
}

export async function createContext(opts?: { headers?: Headers; deps?: () => Deps }): Promise<Context> {
  const headers = opts?.headers ?? new Headers();
  let deps: Deps | undefined;
  const getDeps = opts?.deps ?? (() => (deps ??= runtimeDeps()));
  let resolution: Promise<Resolution> | undefined;
  return {
    requestId: requestIdFrom(opts?.headers),
    address: clientAddress(headers),
    deps: getDeps,
    resolvePrincipal: () => (resolution ??= resolvePrincipal(getDeps(), headers)),
  };
}

/**
 * The context of a server render, made once per request: `cache` is React's, so the page's
 * prefetches, its server caller and the layout's "who is signed in" share one context and
 * resolve the session once (a new render, a new request: a new context). Outside a server
 * render React's cache is a plain call. The server caller (app/_trpc/server.tsx) makes one
 * with next/headers' `headers`.
 */
export function serverRenderContext(getHeaders: () => Headers | Promise<Headers>, opts?: { deps?: () => Deps }): () => Promise<Context> {
  return cache(async () => createContext({ headers: new Headers(await getHeaders()), deps: opts?.deps }));
}

const IN_PROCESS: Principal = { kind: 'internal', name: 'in-process', role: 'operator' };

const KIND_TO_CODE: Record<RefusalKind, TRPCError['code']> = {
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  invalid: 'BAD_REQUEST',
  forbidden: 'FORBIDDEN',
  unavailable: 'SERVICE_UNAVAILABLE',
  precondition: 'PRECONDITION_FAILED',
};

function zodMessage(e: ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/**
 * Errors whose message is already fit to show, with that message: the plain lines of
 * failures errorBoundary has reported (and logged) once.
 */
const shown = new WeakMap<TRPCError, string>();

/** A tRPC error carrying `message`, known to be fit to show. */
function plainError(code: TRPCError['code'], message: string): TRPCError {
  const err = new TRPCError({ code, message });
  shown.set(err, message);
  return err;
}

/**
 * Whether an error's message may be internal text: every INTERNAL_SERVER_ERROR (a
 * PostgresError with its statement, drizzle's "Failed query: …", a TypeError), and any
 * other error whose message tRPC took from a cause that is not a refusal (superjson's
 * "Detected property …" or "… is not a function" for input it cannot read). Refusals,
 * input validation and tRPC's own messages without a cause are written for people.
 */
function carriesInternalText(err: TRPCError): boolean {
  if (shown.has(err)) return false;
  if (err.code === 'INTERNAL_SERVER_ERROR') return true;
  const cause = err.cause;
  return cause !== undefined && !isCellarError(cause) && !(cause instanceof ZodError) && !(cause instanceof NotConfiguredError);
}

/** Log an error that carries internal text (once) and give the plain line to show instead. */
function reported(err: TRPCError, where: { requestId?: string; path?: string; type?: string }): string {
  const known = shown.get(err);
  if (known !== undefined) return known;
  const { message } = reportUnexpected(err.cause ?? err, {
    requestId: where.requestId,
    source: 'console',
    action: where.path ?? null,
    extra: { type: where.type, code: err.code },
    what: err.code === 'INTERNAL_SERVER_ERROR' ? 'procedure failed' : 'request could not be read',
    level: err.code === 'INTERNAL_SERVER_ERROR' ? 'error' : 'warn',
  });
  shown.set(err, message);
  return message;
}

/**
 * superjson as the server reads inputs, less what would make it allocate from a number:
 * meta `["typed-array", "Float64Array"]` on a json value of 10^8 builds an 800 MB array
 * before any check runs (the fuzz found it, a request that held the server for a minute).
 * No Cellar input is a typed array; the answer is the plain 400 of any unreadable input.
 */
export const inputTransformer = {
  serialize: (value: unknown) => superjson.serialize(value),
  deserialize: (payload: unknown) => {
    const meta = (payload as { meta?: unknown } | null)?.meta;
    if (meta !== undefined && JSON.stringify(meta).includes('"typed-array"')) throw new Error('typed arrays are not an input Cellar takes');
    return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
  },
};

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: { input: inputTransformer, output: superjson },
    /**
     * The last stop of every answer over HTTP, failures outside the procedures included
     * (the context, reading the input, serializing the output): an error that may carry
     * internal text is logged under the request id and answered with the plain line.
     */
    errorFormatter({ shape, error, ctx, path, type }) {
      const cause = error.cause;
      const refusal = isCellarError(cause) ? { kind: cause.kind, exitCode: cause.exitCode, details: cause.details ?? null } : null;
      const message = carriesInternalText(error) ? reported(error, { requestId: ctx?.requestId, path, type }) : error.message;
      return {
        code: shape.code,
        message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          refusal,
          // Never a stack trace, a statement or its parameters: people get the message, the log gets the rest.
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain refusals become typed tRPC errors with their plain message; anything else is logged and hidden. */
const errorBoundary = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const err = result.error;
  const cause = err.cause;
  if (isCellarError(cause)) {
    throw new TRPCError({ code: KIND_TO_CODE[cause.kind], message: cause.message, cause });
  }
  if (cause instanceof ZodError) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: zodMessage(cause), cause });
  }
  if (cause instanceof NotConfiguredError) {
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: cause.message });
  }
  if (isApiDatabaseDown(cause)) {
    log.warn({ err: cause, path, requestId: ctx.requestId }, 'the api database does not answer');
    throw plainError('SERVICE_UNAVAILABLE', API_DOWN_MESSAGE);
  }
  if (!carriesInternalText(err)) return result;
  // Logged here, under the request id; the caller (HTTP or in-process) gets one plain line.
  throw plainError(err.code, reported(err, { requestId: ctx.requestId, path, type }));
});

/**
 * How a mutation that did not succeed is recorded: a domain refusal or a failure (the
 * procedure ran), or input its schema refused (`early`: nothing ran, counted like the
 * other refusals before a procedure runs).
 */
function failedOutcome(err: TRPCError, requestId: string): { outcome: 'refused' | 'failed'; reason: string; early: boolean } {
  const cause = err.cause;
  if (isCellarError(cause)) return { outcome: 'refused', reason: cause.message, early: false };
  if (isApiDatabaseDown(cause)) return { outcome: 'failed', reason: API_DOWN_MESSAGE, early: false };
  if (cause instanceof ZodError) return { outcome: 'refused', reason: `invalid input: ${zodMessage(cause)}`, early: true };
  if (err.code === 'INTERNAL_SERVER_ERROR' || cause instanceof NotConfiguredError) {
    return { outcome: 'failed', reason: `unexpected error; the details are in the server log (request ${requestId})`, early: false };
  }
  if (carriesInternalText(err)) {
    return { outcome: 'refused', reason: `the request could not be read; the details are in the server log (request ${requestId})`, early: true };
  }
  return { outcome: 'refused', reason: err.message, early: false };
}

export const UNREADABLE_INPUT = "The request's input could not be read: send it as tRPC's JSON (superjson), as the console does";
const AUDIT_UNAVAILABLE = 'The audit log could not be written, so nothing was done; try again.';

/**
 * Who may call, and what they may send: resolves the principal, refuses below the minimum
 * role, puts the input through the one input guard (server/input-guard.ts), and audits
 * every mutation. A mutation runs only once its 'started' row is written, and that row
 * then gets the outcome: there is no write without its row. Refusals before anything ran
 * are counted per address and minute (recordRefusal), not written once per call. The role
 * is taken from this closure, not from the procedure's meta, so a later `.meta()` cannot
 * lower it (the access-matrix test compares both).
 */
function accessControl(minRole: Role) {
  return t.middleware(async ({ ctx, path, type, next, getRawInput }) => {
    const isWrite = type === 'mutation';
    const who = { source: 'console' as const, action: path, requestId: ctx.requestId, address: ctx.address ?? null };
    const refuseEarly = async (principal: Principal | null, code: TRPCError['code'], message: string, input?: unknown): Promise<never> => {
      if (isWrite) {
        // What was sent is kept too (as plain data, summarizeInput), also when it was refused unread.
        const sent = input === undefined ? await getRawInput().catch(() => undefined) : input;
        await recordRefusal(ctx.deps(), { ...who, principal, input: sent, reason: message }).catch((e: unknown) =>
          log.error({ err: e, path, requestId: ctx.requestId }, 'could not write the audit row of a refused call'),
        );
      }
      throw plainError(code, message);
    };

    const resolution: Resolution = ctx.resolvePrincipal ? await ctx.resolvePrincipal() : { principal: IN_PROCESS };
    if (!('principal' in resolution)) return refuseEarly(null, 'UNAUTHORIZED', 'refused' in resolution ? resolution.refused : SIGN_IN_FIRST);
    const { principal } = resolution;
    if (!roleAtLeast(principal.role, minRole)) return refuseEarly(principal, 'FORBIDDEN', forbiddenMessage(minRole, principal));

    let input: unknown;
    try {
      input = await getRawInput();
    } catch (e) {
      reportUnexpected(e, { requestId: ctx.requestId, source: 'console', action: path, what: 'request could not be read', level: 'warn' });
      return refuseEarly(principal, 'BAD_REQUEST', `${UNREADABLE_INPUT} (request id ${ctx.requestId})`);
    }
    const refusal = guardInput(input);
    if (refusal) return refuseEarly(principal, 'BAD_REQUEST', `Invalid input: ${refusal.message}`, input);
    if (!isWrite) return next({ ctx: { principal } });

    let auditId: number;
    try {
      auditId = await beginAudit(ctx.deps(), { ...who, principal, input });
    } catch (e) {
      if (isApiDatabaseDown(e)) throw plainError('SERVICE_UNAVAILABLE', API_DOWN_MESSAGE);
      reportUnexpected(e, { requestId: ctx.requestId, source: 'console', action: path, what: 'could not write the audit row; the write was not done' });
      throw plainError('SERVICE_UNAVAILABLE', AUDIT_UNAVAILABLE);
    }
    const result = await next({ ctx: { principal } });
    try {
      if (result.ok) await finishAudit(ctx.deps(), auditId, { outcome: 'done' });
      else {
        const { outcome, reason, early } = failedOutcome(result.error, ctx.requestId);
        if (early) await recordRefusal(ctx.deps(), { ...who, principal, input, reason }, { replaces: auditId });
        else await finishAudit(ctx.deps(), auditId, { outcome, reason });
      }
    } catch (e) {
      // The write is recorded as started; only its outcome is missing, and the log has it.
      log.error({ err: e, path, requestId: ctx.requestId, auditId, ok: result.ok }, 'could not write the outcome to the audit row');
    }
    return result;
  });
}

/** The procedure builder for a minimum role: the only way to make a procedure. */
export function procedureFor(minRole: Role) {
  return t.procedure.meta({ minRole }).use(errorBoundary).use(accessControl(minRole));
}

export const viewerProcedure = procedureFor('viewer');
export const supportProcedure = procedureFor('support');
export const operatorProcedure = procedureFor('operator');
