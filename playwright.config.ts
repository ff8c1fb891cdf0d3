import path from 'node:path';
import { defineConfig } from '@playwright/test';
// The specs' helpers read databases through server code (db/testing): `server-only` as on the server, here and in the workers.
import './bin/server-only.mjs';
import { HOSTILE_E2E_BASE_URL } from './e2e/hostile/paths';
import { NOVA_E2E_BASE_URL } from './e2e/nova/paths';

/** The e2e run: the built console on the embedded default, in a data directory of its own. */
export const E2E_PORT = Number(process.env.CELLAR_E2E_PORT ?? 3123);
export const E2E_DATA_DIR = path.resolve(process.env.CELLAR_E2E_DATA_DIR ?? '.test-data/e2e');
/** The demo operator's signed-in browser state, saved once by e2e/auth.setup.ts. */
export const OPERATOR_STATE = path.resolve('.test-data/e2e-auth/operator.json');
/** The specs of the second console, on a deployment nova made (e2e/nova/serve-nova.ts); never run against the demo. */
const NOVA_SPECS = /(^|\/)nova-[^/]*\.spec\.ts$/;
/** The specs of the third console (e2e/hostile/serve-hostile.ts): fuzzing and hostile stored data; never run against the other two. */
const HOSTILE_SPECS = /(^|\/)hostile\/[^/]*\.spec\.ts$/;

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // The specs share one deployment and two cores.
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CELLAR_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    // Signs in once as the demo operator; every spec starts from that state (a spec that
    // needs another role, or none, sets its own storageState).
    { name: 'setup', testMatch: /auth\.setup\.ts$/ },
    { name: 'console', dependencies: ['setup'], testIgnore: [NOVA_SPECS, HOSTILE_SPECS], use: { storageState: OPERATOR_STATE } },
    // The second console, on nova's own databases; its specs sign in as the users serve-nova.ts made.
    { name: 'nova', testMatch: NOVA_SPECS, use: { baseURL: NOVA_E2E_BASE_URL, storageState: { cookies: [], origins: [] } } },
    // The third console, the demo in a data directory of its own: every procedure fuzzed over
    // HTTP as every kind of caller, then every page over stored markup; its specs sign in themselves.
    { name: 'hostile', testMatch: HOSTILE_SPECS, use: { baseURL: HOSTILE_E2E_BASE_URL, storageState: { cookies: [], origins: [] } } },
  ],
  webServer: [
    {
      command: 'node bin/start.mjs',
      url: `http://127.0.0.1:${E2E_PORT}/api/health`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: {
        PORT: String(E2E_PORT),
        CELLAR_DATA_DIR: E2E_DATA_DIR,
        // The e2e run is the embedded default: never a configured server.
        CELLAR_API_DATABASE_URL: '',
        CELLAR_DATABASE_URL: '',
        CELLAR_CELL_DEADLINE_MS: '1500',
      },
    },
    {
      // A nova 26 deployment made by Debian's python3-nova (db/testing/nova), cloned fresh for
      // the run, with Cellar's schema and two users; the console on it, then the clone dropped.
      // Nova's templates take ~20 s to build on a cold server (kept afterwards), a clone ~2 s;
      // the demo server above starts first and builds the console, so this one reuses it.
      name: 'nova',
      command: 'node --import ./bin/server-only.mjs --import tsx e2e/nova/serve-nova.ts',
      url: `${NOVA_E2E_BASE_URL}/api/health`,
      timeout: 600_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      // Console, then the clone's drop, then the embedded cluster.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 40_000 },
    },
    {
      // The demo again, fresh every run (serve-hostile.ts deletes its data directory first);
      // it reuses the build the first server made.
      name: 'hostile',
      command: 'node --import tsx e2e/hostile/serve-hostile.ts',
      url: `${HOSTILE_E2E_BASE_URL}/api/health`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    },
  ],
});
