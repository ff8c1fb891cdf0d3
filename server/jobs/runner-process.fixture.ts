/**
 * A job runner in a process of its own, for the test that kills it with SIGKILL half-way
 * through a job (map-instances-job.test.ts). Run with `node --import tsx` and:
 *   CELLAR_FIXTURE_API_URL   the test deployment's api database
 *   CELLAR_FIXTURE_BATCH     instances per map_instances batch
 *   CELLAR_FIXTURE_STALE_MS  the runner's staleness (its heartbeat beats at a quarter of it)
 * It prints "ready" once the runner is polling, then runs until it is killed.
 */
import { openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { startJobRunner } from './job-runner';

const apiUrl = process.env.CELLAR_FIXTURE_API_URL;
if (!apiUrl) throw new Error('CELLAR_FIXTURE_API_URL is not set');
const api = openApiDatabase(apiUrl, { max: 3, applicationName: 'cellar:jobs-fixture' });
const registry = new CellRegistry({ baseUrl: apiUrl });
startJobRunner(
  { api, registry, deadlineMs: 30_000, serviceDownTimeS: 60, now: () => new Date() },
  {
    pollMs: 20,
    staleAfterMs: Number(process.env.CELLAR_FIXTURE_STALE_MS ?? 2000),
    mapInstancesBatch: Number(process.env.CELLAR_FIXTURE_BATCH ?? 500),
  },
);
process.stdout.write('ready\n');
