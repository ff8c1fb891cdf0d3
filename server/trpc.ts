/**
 * tRPC: the context, error shaping, and one procedure builder per role.
 * Every procedure is built from `procedureFor(role)`, so its minimum role is declared
 * where it is defined (viewer < support < operator).
 */
import crypto from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { NotConfiguredError } from '@/db/runtime';
import { type Deps, runtimeDeps } from './deps';
import { isCellarError, type RefusalKind } from './errors';
import { log } from './log';

export const ROLES = ['viewer', 'support', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface Meta {
  minRole: Role;
}

export interface Context {
  requestId: string;
  deps: () => Deps;
}

export async function createContext(opts?: { headers?: Headers }): Promise<Context> {
  const requestId = opts?.headers?.get('x-request-id') ?? crypto.randomUUID();
  let deps: Deps | undefined;
  return { requestId, deps: () => (deps ??= runtimeDeps()) };
}

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

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const refusal = isCellarError(cause) ? { kind: cause.kind, exitCode: cause.exitCode, details: cause.details ?? null } : null;
      return {
        ...shape,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          refusal,
          // Never a stack trace: people get the message, the log gets the rest.
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
  if (err.code !== 'INTERNAL_SERVER_ERROR') return result;
  log.error({ err: cause ?? err, path, type, requestId: ctx.requestId }, 'procedure failed');
  throw new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: `Something went wrong on the server (request ${ctx.requestId}). The details are in the server log.`,
  });
});

/**
 * The procedure builder for a minimum role. Sign-in and role enforcement arrive with the
 * access-control work (issue 5); until then every caller is treated as an operator, and
 * the declared role is what that enforcement will check.
 */
export function procedureFor(minRole: Role) {
  return t.procedure.meta({ minRole }).use(errorBoundary);
}

export const viewerProcedure = procedureFor('viewer');
export const supportProcedure = procedureFor('support');
export const operatorProcedure = procedureFor('operator');
