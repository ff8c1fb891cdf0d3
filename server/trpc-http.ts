import 'server-only';
/**
 * /api/trpc over HTTP: the batching rules before tRPC runs any call, then tRPC's fetch
 * handler. A batch may carry at most MAX_BATCH_CALLS calls, and only a caller with valid
 * credentials may batch at all: a stranger's batch is answered as one refusal per call
 * (the console's client reads it as it reads any UNAUTHORIZED) before anything runs, and
 * is one aggregated audit row, not one per call.
 */
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { recordRefusal } from './auth/audit';
import type { Deps } from './deps';
import { SIGN_IN_FIRST } from './auth/roles';
import { log } from './log';
import { appRouter } from './root';
import { createContext } from './trpc';
import { MAX_BATCH_CALLS } from './trpc-limits';

export const TRPC_ENDPOINT = '/api/trpc';

function batchRefusal(paths: string[], status: 400 | 401, code: 'BAD_REQUEST' | 'UNAUTHORIZED', message: string): Response {
  const body = paths.map((path) => ({
    error: superjson.serialize({ message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, path, refusal: null } }),
  }));
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/** `deps`: tests pass their deployment's; the route handler passes nothing (the runtime's). */
export async function handleTrpcRequest(req: Request, opts: { deps?: () => Deps } = {}): Promise<Response> {
  const url = new URL(req.url);
  const batch = url.searchParams.get('batch') === '1';
  const paths = batch ? url.pathname.slice(TRPC_ENDPOINT.length + 1).split(',') : [];
  if (paths.length > MAX_BATCH_CALLS) {
    return batchRefusal(
      paths.slice(0, MAX_BATCH_CALLS),
      400,
      'BAD_REQUEST',
      `A request may carry at most ${MAX_BATCH_CALLS} calls; this one carried ${paths.length}.`,
    );
  }
  const ctx = await createContext({ headers: req.headers, deps: opts.deps });
  if (paths.length > 1) {
    const resolution = await ctx.resolvePrincipal!();
    if (!('principal' in resolution)) {
      const message = 'refused' in resolution ? resolution.refused : SIGN_IN_FIRST;
      if (req.method === 'POST') {
        await recordRefusal(ctx.deps(), {
          source: 'console',
          principal: null,
          action: '(batch)',
          input: { calls: paths.length, paths: paths.slice(0, 20) },
          reason: `a batch of ${paths.length} calls without valid credentials: ${message}`,
          requestId: ctx.requestId,
          address: ctx.address ?? null,
        }).catch((e: unknown) => log.error({ err: e, requestId: ctx.requestId }, 'could not write the audit row of a refused batch'));
      }
      return batchRefusal(paths, 401, 'UNAUTHORIZED', message);
    }
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req,
    router: appRouter,
    maxBatchSize: MAX_BATCH_CALLS,
    createContext: () => ctx,
  });
}
