/**
 * Reads and writes of the api database that many calls ask at the same moment, sent once.
 *
 * A page that reads every cell asks each cell on its own (app/_trpc/server.tsx
 * prefetchEachCell): 75 cells were 75 reads of cell_mappings, 75 of the flavors, 75
 * upserts of the last-known figures, all in the same turn of the event loop. Each of them
 * costs the console a socket write and a parse, and at 75 cells under 8 viewers the
 * console's one thread, not PostgreSQL, was what every page waited for (cells75).
 *
 * A loader (DataLoader, no cache) collects the keys asked until the batch runs — in the
 * next turn of the event loop, or after `windowMs` — and asks the database once for all
 * of them. Nothing is kept between batches, so an answer is never older than the call: a
 * batch starts only after every call it answers was made.
 */
import DataLoader from 'dataloader';

// biome-ignore lint/suspicious/noExplicitAny: one registry for loaders of every key and value type.
type AnyLoader = DataLoader<any, any, any>;

const scopes = new WeakMap<object, Map<string, AnyLoader>>();

export interface LoaderOptions<K, C> {
  /** Keys equal by this are one key of the batch (default: the key itself). */
  cacheKeyFn?: (key: K) => C;
  /** Wait this long for more keys before the batch runs (default: the next turn of the event loop). */
  windowMs?: number;
}

/**
 * The loader `name` of `scope` (a database handle: a reopened handle gets loaders of its
 * own), made on first use. `batch` answers every key of a batch, in order, each with its
 * value or an Error; a batch that throws fails each of its calls with that error.
 */
export function loaderOn<K, V, C = K>(
  scope: object,
  name: string,
  batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options: LoaderOptions<K, C> = {},
): DataLoader<K, V, C> {
  let loaders = scopes.get(scope);
  if (!loaders) {
    loaders = new Map();
    scopes.set(scope, loaders);
  }
  let loader = loaders.get(name) as DataLoader<K, V, C> | undefined;
  if (!loader) {
    const { windowMs } = options;
    loader = new DataLoader<K, V, C>(batch, {
      // No memory between batches: a later call gets a later answer.
      cache: false,
      ...(options.cacheKeyFn ? { cacheKeyFn: options.cacheKeyFn } : {}),
      batchScheduleFn: windowMs ? (run) => setTimeout(run, windowMs) : (run) => setImmediate(run),
    });
    loaders.set(name, loader as AnyLoader);
  }
  return loader;
}

/**
 * One answer for every call of `name` on `scope` made before it is asked: a read that
 * takes no arguments (all cell mappings, the enabled flavors). `name` must say all the read
 * depends on; the batch runs the `read` of its first call. Each caller gets the same
 * value: callers must not change it.
 */
export function coalesced<T>(scope: object, name: string, read: () => Promise<T>): Promise<T> {
  return loaderOn<() => Promise<T>, T>(scope, `coalesced:${name}`, async (reads) => {
    const value = await reads[0]!();
    return reads.map(() => value);
  }).load(read);
}
