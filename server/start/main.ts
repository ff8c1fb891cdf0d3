/**
 * `npm start`: configuration, the embedded default when no api database is configured,
 * migrations, a build when needed, then the console on PORT. `npm run dev` (--dev) is the
 * same start with `next dev` instead of the build: hot reload on the same databases.
 */
import http from 'node:http';
import { ConfigError, config, resetConfig } from '@/db/config';
import { openApiDatabase } from '@/db/connect';
import { projectRoot } from '@/db/migrate';
import { cellRegistry, closeRuntime, deadlineMs } from '@/db/runtime';
import { maskUrl } from '@/db/url';
import { runtimeDeps } from '../deps';
import { startHealthProbe } from '../cells/health-probe';
import { startDemoHeartbeat } from '../demo/heartbeat';
import { configuredDiscoveryInterval } from '../hosts/discovery-schedule';
import { startPeriodicDiscovery } from '../hosts/periodic-discovery';
import { startJobRunner } from '../jobs/job-runner';
import { log } from '../log';
import { replicaName } from '../replica';
import { prepareEmbeddedDeployment } from '../setup/embedded-deployment';
import { ensureBuild } from './build';
import { serveGated } from './request-gate';
import { migrateApiAndSay, sayCellSchemas } from './schema-report';

const say = (line: string) => console.log(`cellar: ${line}`);

async function main() {
  let cfg: ReturnType<typeof config>;
  try {
    cfg = config();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`cellar: configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const root = projectRoot();
  let stopEmbedded: (() => Promise<void>) | undefined;

  if (!cfg.CELLAR_API_DATABASE_URL) {
    say(`No CELLAR_API_DATABASE_URL: using the embedded default in ${cfg.dataDir}.`);
    const dep = await prepareEmbeddedDeployment({ dataDir: cfg.dataDir, log: say });
    process.env.CELLAR_API_DATABASE_URL = dep.apiUrl;
    if (!process.env.CELLAR_DATABASE_URL) process.env.CELLAR_DATABASE_URL = dep.baseUrl;
    resetConfig();
    // The console owns the server it runs on, adopted or not: it stops it when it stops.
    stopEmbedded = () => dep.cluster.stop({ force: true });
  } else {
    say(`Using the api database at ${maskUrl(cfg.CELLAR_API_DATABASE_URL)}.`);
  }
  // One line per database: what was found, what was done. A cell nova made is never changed.
  {
    const api = openApiDatabase(config().CELLAR_API_DATABASE_URL!, { max: 2, applicationName: 'cellar:start' });
    try {
      await migrateApiAndSay(api, say);
      await sayCellSchemas(api, cellRegistry(), deadlineMs(), say);
    } finally {
      await api.close();
    }
  }

  const dev = process.argv.includes('--dev');
  if (!dev) ensureBuild(root, say);

  const { default: next } = await import('next');
  const hostname = process.env.HOSTNAME_BIND ?? '127.0.0.1';
  const port = config().PORT;
  const app = next({ dev, dir: root, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    // The peer address for the sign-in limit per address: set here from the socket, so a
    // client cannot choose it (server/auth/client-address.ts).
    req.headers['x-cellar-peer'] = req.socket.remoteAddress ?? 'unknown';
    // Methods, paths and body sizes Next would answer with a 500, or nothing here needs,
    // get a plain answer first (server/start/request-gate.ts).
    serveGated(req, res, handle);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: set PORT to a free port.`) : e),
    );
    server.listen(port, hostname, resolve);
  });
  say(`Console ready on http://${hostname}:${port}${dev ? ' (next dev: pages rebuild as you edit them)' : ''}`);

  // Background work of this process: jobs (map_instances …) and, for the demo, nova-compute's reports.
  const jobs = startJobRunner(runtimeDeps(), {
    pollMs: 1000,
    staleAfterMs: config().CELLAR_JOB_LEASE_S * 1000,
    mapInstancesBatch: config().CELLAR_MAP_INSTANCES_BATCH,
  });
  // The cell health memory's probe: asks the cells that failed again, with backoff, so the first success brings one back everywhere.
  const probe = startHealthProbe(runtimeDeps(), { onError: (e) => log.warn({ err: e }, 'cell health probe failed') });
  // Periodic discovery (CELLAR_DISCOVER_HOSTS_INTERVAL_S): every replica takes part, one leads.
  const interval = configuredDiscoveryInterval();
  const periodic = interval
    ? startPeriodicDiscovery(runtimeDeps(), { intervalS: interval, replica: replicaName(), onError: (e) => log.warn({ err: e }, 'periodic discovery failed') })
    : null;
  if (interval) say(`Periodic discovery every ${interval} s, on one replica at a time (this one is ${replicaName()}).`);
  const stopHeartbeat = startDemoHeartbeat(runtimeDeps(), (e) => log.warn({ err: e }, 'demo heartbeat failed'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down.`);
    server.close();
    stopHeartbeat();
    await jobs.stop().catch(() => {});
    await periodic?.stop().catch(() => {});
    await probe.stop().catch(() => {});
    await closeRuntime().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch(async (e) => {
  console.error(`cellar: ${(e as Error).message}`);
  await closeRuntime().catch(() => {});
  process.exit(1);
});
