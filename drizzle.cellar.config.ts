import { defineConfig } from 'drizzle-kit';

// Cellar's own schema `cellar` in the api database: applied on every api database, nova's included.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/cellar/schema.ts',
  out: './db/cellar/migrations',
  schemaFilter: ['cellar'],
});
