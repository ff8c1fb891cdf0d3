import 'server-only';
import { config, resetConfig } from '@/db/config';
import { applyMigrations, describeMigration } from '@/db/migrate';
import { closeRuntime } from '@/db/runtime';
import { runtimeDeps, type Deps } from '../deps';
import { prepareEmbeddedDeployment } from '../setup/embedded-deployment';

/** withDeps sessions open in this process: a nested one joins the outer one. */
let openSessions = 0;

/**
 * The CLI's databases: the configured api database, or the embedded default. When the
 * console is running, its embedded server is adopted; when it is not, the CLI starts the
 * server and stops it again at exit unless someone else (a console) connected meanwhile.
 */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  // Nested inside a session already open (the CLI's audit wrapper in main.ts): join it.
  if (openSessions > 0) return fn(runtimeDeps());
  openSessions++;
  try {
    return await openSession(fn, opts);
  } finally {
    openSessions--;
  }
}

async function openSession<T>(fn: (deps: Deps) => Promise<T>, opts: { quiet?: boolean }): Promise<T> {
  const cfg = config();
  let stop: (() => Promise<void>) | undefined;
  if (!cfg.CELLAR_API_DATABASE_URL) {
    const dep = await prepareEmbeddedDeployment({
      dataDir: cfg.dataDir,
      log: (l) => {
        if (!opts.quiet) console.error(`cellar: ${l}`);
      },
    });
    process.env.CELLAR_API_DATABASE_URL = dep.apiUrl;
    if (!process.env.CELLAR_DATABASE_URL) process.env.CELLAR_DATABASE_URL = dep.baseUrl;
    resetConfig();
    if (!dep.cluster.adopted) stop = () => dep.cluster.stop();
  }
  const deps = runtimeDeps();
  try {
    // Like the start: Cellar's own schema on any api database (nothing when current), so a
    // first `cellar discover_hosts` on a nova deployment needs no console started before it.
    if (cfg.CELLAR_API_DATABASE_URL) {
      const r = await applyMigrations(deps.api, 'api');
      if (r.applied > 0 && !opts.quiet) console.error(`cellar: ${describeMigration('api database', r)}`);
    }
    return await fn(deps);
  } finally {
    let othersConnected = false;
    if (stop) {
      const [row] = await deps.api.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where backend_type = 'client backend' and application_name not like 'cellar:cli%'
          and pid <> pg_backend_pid() and application_name not in ('cellar:api', 'cellar:setup', 'cellar:demo')
          and application_name not like 'cellar:cell%'`.catch(() => [{ n: 0 }]);
      othersConnected = (row?.n ?? 0) > 0;
    }
    await closeRuntime();
    if (stop && !othersConnected) await stop();
  }
}
