import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname } },
  test: {
    include: ['{db,server,bin}/**/*.test.ts'],
    globalSetup: ['db/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: a few files at once keeps the database busy without starving it.
    maxWorkers: 3,
  },
});
