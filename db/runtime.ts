import 'server-only';
import { CellHealthMemory } from './cell-health';
import { type CellarConfig, config } from './config';
import { type ApiHandle, openApiDatabase, type PoolOptions } from './connect';
import { CellRegistry } from './registry';

/**
 * Process-wide handles. Kept on globalThis because Next bundles server code per route,
 * and every bundle must share one api pool and one cell registry.
 */
interface Runtime {
  api?: ApiHandle;
  /** The URL and bounds the api handle was opened with: another configuration, another handle. */
  apiKey?: string;
  registry?: CellRegistry;
}
const g = globalThis as typeof globalThis & { __cellarRuntime?: Runtime };
g.__cellarRuntime ??= {};
const runtime: Runtime = g.__cellarRuntime;

export class NotConfiguredError extends Error {
  constructor() {
    super('CELLAR_API_DATABASE_URL is not set. Start the console with `npm start` (which runs the embedded default) or set it to your api database.');
    this.name = 'NotConfiguredError';
  }
}

/** How much longer than the statement timeout a connection may stay silent: the server's own cancel arrives first. */
export const API_STALL_GRACE_MS = 1000;

/**
 * The api pool's bounds: the server cancels a statement after the statement timeout; a
 * connection that has heard nothing back for that and API_STALL_GRACE_MS more is closed
 * (a stopped, frozen or unreachable server never runs the statement, so only the client
 * can bound that; db/connect.ts, stallTimeoutMs); a new connection has the connect timeout
 * to be ready. Every query through the handle is bounded, drizzle's, better-auth's,
 * transactions and reserved sessions included, and fails with an error isApiDatabaseDown
 * (db/api-unavailable.ts) recognises. Nothing is cached on failure: the pool opens a new
 * connection on the next query, so Cellar recovers by itself when the database is back.
 */
export function apiPoolOptions(cfg: Pick<CellarConfig, 'CELLAR_API_STATEMENT_TIMEOUT_MS' | 'CELLAR_API_CONNECT_TIMEOUT_S'>): PoolOptions {
  return {
    applicationName: 'cellar:api',
    statementTimeoutMs: cfg.CELLAR_API_STATEMENT_TIMEOUT_MS,
    stallTimeoutMs: cfg.CELLAR_API_STATEMENT_TIMEOUT_MS + API_STALL_GRACE_MS,
    connectTimeoutS: cfg.CELLAR_API_CONNECT_TIMEOUT_S,
  };
}

export function apiDb(): ApiHandle {
  const url = config().CELLAR_API_DATABASE_URL;
  if (!url) throw new NotConfiguredError();
  const opts = apiPoolOptions(config());
  const key = JSON.stringify([url, opts]);
  if (runtime.api && runtime.apiKey === key) return runtime.api;
  if (runtime.api) void runtime.api.close();
  runtime.api = openApiDatabase(url, opts);
  runtime.apiKey = key;
  return runtime.api;
}

export function cellRegistry(): CellRegistry {
  runtime.registry ??= new CellRegistry({
    baseUrl: config().CELLAR_DATABASE_URL ?? null,
    cellCredentials: config().CELLAR_CELL_DATABASE_USER
      ? { user: config().CELLAR_CELL_DATABASE_USER!, password: config().CELLAR_CELL_DATABASE_PASSWORD ?? null }
      : null,
    pool: { statementTimeoutMs: config().CELLAR_CELL_DEADLINE_MS + 2000, connectTimeoutS: Math.ceil(config().CELLAR_CELL_DEADLINE_MS / 1000) + 1 },
    // The connection budget per cell database server, and the shared memory of cell
    // health every fan-out consults and records into (db/registry.ts, db/cell-health.ts).
    connectionsPerServer: config().CELLAR_CELL_CONNECTIONS_PER_SERVER,
    health: new CellHealthMemory(() => apiDb()),
  });
  return runtime.registry;
}

export function deadlineMs(): number {
  return config().CELLAR_CELL_DEADLINE_MS;
}

export async function closeRuntime(): Promise<void> {
  const { api, registry } = runtime;
  runtime.api = undefined;
  runtime.apiKey = undefined;
  runtime.registry = undefined;
  // What the last fan-outs found, written before the api handle closes (never throws).
  await registry?.health?.flush();
  await Promise.all([api?.close(), registry?.closeAll()]);
}
