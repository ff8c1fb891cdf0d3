/** Test helpers shared by the areas' integration tests. */
import { TRPCError } from '@trpc/server';
import { type CellarError, isCellarError } from './errors';

/** Await a domain call that must be refused; the refusal (message, exit code) for assertions. */
export async function refusal(p: Promise<unknown>): Promise<CellarError> {
  try {
    await p;
  } catch (e) {
    if (isCellarError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Await a procedure call that must fail; the tRPC error (code, plain message) for assertions. */
export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error('expected the procedure to fail');
}
