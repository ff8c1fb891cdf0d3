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
import { NotConfiguredError } from '@/db/runtime';
import { type AuditOutcome, recordAudit } from './auth/audit';
import { resolvePrincipal } from './auth/principal';
import { forbiddenMessage, type Principal, type Resolution, type Role, roleAtLeast, SIGN_IN_FIRST } from './auth/roles';
import { type Deps, runtimeDeps } from './deps';
import { isCellarError, type RefusalKind } from './errors';
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

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
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
  if (!carriesInternalText(err)) return result;
  // Logged here, under the request id; the caller (HTTP or in-process) gets one plain line.
  throw plainError(err.code, reported(err, { requestId: ctx.requestId, path, type }));
});

/** How a mutation that did not succeed is recorded: a domain or input refusal, or a failure. */
function failedOutcome(err: TRPCError, requestId: string): { outcome: AuditOutcome; reason: string } {
  const cause = err.cause;
  if (isCellarError(cause)) return { outcome: 'refused', reason: cause.message };
  if (cause instanceof ZodError) return { outcome: 'refused', reason: `invalid input: ${zodMessage(cause)}` };
  if (err.code === 'INTERNAL_SERVER_ERROR' || cause instanceof NotConfiguredError) {
    return { outcome: 'failed', reason: `unexpected error; the details are in the server log (request ${requestId})` };
  }
  if (carriesInternalText(err)) {
    return { outcome: 'refused', reason: `the request could not be read; the details are in the server log (request ${requestId})` };
  }
  return { outcome: 'refused', reason: err.message };
}

/**
 * Who may call: resolves the principal, refuses below the minimum role, and audits every
 * mutation. The role is taken from this closure, not from the procedure's meta, so a
 * later `.meta()` cannot lower it (the access-matrix test compares both).
 */
function accessControl(minRole: Role) {
  return t.middleware(async ({ ctx, path, type, next, getRawInput }) => {
    const audit = async (principal: Principal | null, outcome: AuditOutcome, reason: string | null) => {
      if (type !== 'mutation') return;
      try {
        const input = await getRawInput().catch(() => undefined);
        await recordAudit(ctx.deps(), { source: 'console', principal, action: path, input, outcome, reason, requestId: ctx.requestId });
      } catch (e) {
        log.error({ err: e, path, requestId: ctx.requestId }, 'could not write the audit row');
      }
    };
    const resolution: Resolution = ctx.resolvePrincipal ? await ctx.resolvePrincipal() : { principal: IN_PROCESS };
    if (!('principal' in resolution)) {
      const message = 'refused' in resolution ? resolution.refused : SIGN_IN_FIRST;
      await audit(null, 'refused', message);
      throw new TRPCError({ code: 'UNAUTHORIZED', message });
    }
    const { principal } = resolution;
    if (!roleAtLeast(principal.role, minRole)) {
      const message = forbiddenMessage(minRole, principal);
      await audit(principal, 'refused', message);
      throw new TRPCError({ code: 'FORBIDDEN', message });
    }
    const result = await next({ ctx: { principal } });
    if (result.ok) await audit(principal, 'done', null);
    else {
      const { outcome, reason } = failedOutcome(result.error, ctx.requestId);
      await audit(principal, outcome, reason);
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
