/**
 * Cellar pointed at a deployment nova made (db/testing/nova): the Deps the console and
 * the CLI would build from CELLAR_API_DATABASE_URL, and an in-process operator caller.
 */
import { openApiDatabase } from '@/db/connect';
import { applyMigrations } from '@/db/migrate';
import { CellRegistry } from '@/db/registry';
import { createNovaDeployment, type NovaDeployment } from '@/db/testing/nova/nova-deployment';
import type { Deps } from '../deps';
import { createCaller } from '../root';

export interface CellarOnNova {
  nova: NovaDeployment;
  deps: Deps;
  caller: ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

/** A fresh nova deployment with Cellar's own schema applied to its api database, as `npm start` does. */
export async function cellarOnNova(opts: { migrate?: boolean; apiUrl?: (nova: NovaDeployment) => string } = {}): Promise<CellarOnNova> {
  const nova = await createNovaDeployment();
  const apiUrl = opts.apiUrl?.(nova) ?? nova.api.url;
  const api = openApiDatabase(apiUrl, { max: 4 });
  const registry = new CellRegistry({ baseUrl: apiUrl });
  const deps: Deps = { api, registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
  if (opts.migrate ?? true) await applyMigrations(api, 'api');
  return {
    nova,
    deps,
    caller: createCaller({ requestId: 'on-nova', deps: () => deps }),
    async close() {
      await registry.closeAll();
      await api.close();
      await nova.close();
    },
  };
}
