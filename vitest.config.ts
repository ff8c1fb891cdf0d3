import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Server code in a test is on the server: `server-only` is its empty module (the react-server condition's). */
const serverOnlyEmpty = path.join(import.meta.dirname, 'node_modules', 'server-only', 'empty.js');
/** The same for the processes tests spawn (`node --import tsx <fixture>`): they inherit NODE_OPTIONS. */
const serverOnlyHook = `--import=${pathToFileURL(path.join(import.meta.dirname, 'bin', 'server-only.mjs')).href}`;

export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname, 'server-only': serverOnlyEmpty } },
  test: {
    include: ['{db,server,bin,app}/**/*.test.ts'],
    globalSetup: ['db/testing/global-setup.ts'],
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, serverOnlyHook].filter(Boolean).join(' ') },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: a few files at once keeps the database busy without starving it.
    maxWorkers: 3,
  },
});
