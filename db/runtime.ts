import 'server-only';
import { config } from './config';
import { type ApiHandle, openApiDatabase } from './connect';
import { CellRegistry } from './registry';

/**
 * Process-wide handles. Kept on globalThis because Next bundles server code per route,
 * and every bundle must share one api pool and one cell registry.
 */
interface Runtime {
  api?: ApiHandle;
  apiUrl?: string;
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

export function apiDb(): ApiHandle {
  const url = config().CELLAR_API_DATABASE_URL;
  if (!url) throw new NotConfiguredError();
  if (runtime.api && runtime.apiUrl === url) return runtime.api;
  if (runtime.api) void runtime.api.close();
  runtime.api = openApiDatabase(url, { applicationName: 'cellar:api' });
  runtime.apiUrl = url;
  return runtime.api;
}

export function cellRegistry(): CellRegistry {
  runtime.registry ??= new CellRegistry({
    baseUrl: config().CELLAR_DATABASE_URL ?? null,
    cellCredentials: config().CELLAR_CELL_DATABASE_USER
      ? { user: config().CELLAR_CELL_DATABASE_USER!, password: config().CELLAR_CELL_DATABASE_PASSWORD ?? null }
      : null,
    pool: { statementTimeoutMs: config().CELLAR_CELL_DEADLINE_MS + 2000, connectTimeoutS: Math.ceil(config().CELLAR_CELL_DEADLINE_MS / 1000) + 1 },
  });
  return runtime.registry;
}

export function deadlineMs(): number {
  return config().CELLAR_CELL_DEADLINE_MS;
}

export async function closeRuntime(): Promise<void> {
  const { api, registry } = runtime;
  runtime.api = undefined;
  runtime.apiUrl = undefined;
  runtime.registry = undefined;
  await Promise.all([api?.close(), registry?.closeAll()]);
}
